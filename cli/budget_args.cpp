// The input budget flags (parser::InputBudget) shared by the commands that read zone files.
#include "cli/commands.hpp"

namespace zk::cli {

void add_budget_flags(CLI::App* cmd, parser::InputBudget& b) {
  // The parser's error messages name these flags ("limit --max-records N"); keep them in step.
  auto* group = cmd->add_option_group(
      "input budget",
      "limits on what one run may read, counted over the zone file and every file it "
      "$INCLUDEs (each time it is included); \"input size\" is the size of the distinct files "
      "read. A run over a limit is refused (exit 1) before any record is made.");
  group
      ->add_option("--max-records", b.max_records,
                   "records from text, $INCLUDE and $GENERATE together (default: "
                   "max(1000000, input size / 4); text holds at most one record per 6 bytes, "
                   "so only $GENERATE and repeated $INCLUDEs can reach it)")
      ->check(CLI::PositiveNumber);
  group
      ->add_option("--max-input-bytes", b.max_input_bytes,
                   "bytes of zone text read and expanded: every file each time it is included, "
                   "plus the records $GENERATE makes (default: max(256 MiB, 4 x input size); "
                   "suffixes k, M, G = powers of 1024)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::PositiveNumber);
  group
      ->add_option("--max-includes", b.max_includes,
                   "$INCLUDE directives followed over the whole tree (default 10000)")
      ->check(CLI::PositiveNumber);
  group
      ->add_option("--max-include-depth", b.max_include_depth,
                   "$INCLUDE nesting (default 16, at most " +
                       std::to_string(parser::kMaxIncludeDepthCeiling) + ")")
      ->check(CLI::Range(1u, parser::kMaxIncludeDepthCeiling));
  group
      ->add_option("--max-record-length", b.max_record_length,
                   "bytes in one record or directive, parentheses joined (default 1M)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint32_t{1}, UINT32_MAX));
}

}  // namespace zk::cli
