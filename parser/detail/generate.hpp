// BIND's $GENERATE: range parsing and template expansion ("$", "$$", "${offset,width,base}").
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/result.hpp"
#include "parser/detail/context.hpp"
#include "parser/grammar/ast.hpp"

namespace zk::parser::detail {

struct GenerateRange {
  int64_t start = 0, stop = 0, step = 1;
  uint64_t count() const noexcept { return static_cast<uint64_t>((stop - start) / step) + 1; }
};

/// Parses "start-stop[/step]" (0 <= start <= stop < 2^31, step >= 1). Errc::BadDirective on error.
Result<GenerateRange> parse_generate_range(std::string_view text);

/// Checks a template once before expansion (so a bad modifier is reported once, not per value):
/// modifier syntax, and that range values plus each offset stay within 32-bit signed (BIND).
Result<void> check_generate_template(std::string_view tmpl, const GenerateRange& range = {});

/// Appends the template expanded for value to out: "$" -> value, "$$" -> "$",
/// "${offset[,width[,base]]}" -> value+offset, zero-padded to width, in base d/o/x/X or as
/// nibble labels n/N (BIND: width counts the nibbles and their dots). "\X" is copied unchanged
/// so the name reader still sees the escape. The template must have passed
/// check_generate_template.
void expand_generate_template(std::string_view tmpl, int64_t value, std::string& out);

/// What a $GENERATE will make, worked out without expanding it (for the input budget).
struct GenerateEstimate {
  uint64_t records = 0;
  uint64_t bytes = 0;  // records x the size of one record: the longest expansion of its fields
                       // at either end of the range, plus origin_len for the owner
};

/// The estimate for the directive tokens toks ("$GENERATE", range, lhs, ...). {0, 0} when the
/// range or the field count is wrong (run_generate then makes nothing and reports why).
GenerateEstimate estimate_generate(const grammar::RecordTokens& toks, size_t origin_len);

/// Expands the $GENERATE record of seg into out, one record per value (serially; the segment
/// runs in parallel with the others). Errors go to ctx.diag at the directive's line. Its size was
/// charged to the input budget before anything was expanded (tree.hpp).
void run_generate(const ParseCtx& ctx, const SourceFile& file, const Segment& seg, SegmentOut& out);

}  // namespace zk::parser::detail
