// zk::parser: master-file text (RFC 1035 s5) -> records in a ZoneStore.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"

namespace zk::parser {

/// The input budget: what one parse may spend on its input, whatever the input holds. Every
/// limit counts over the whole input tree -- the zone file and every file it $INCLUDEs, each
/// time it is included -- and is checked while the tree is read, before any record is made or
/// any $GENERATE is expanded. Hitting one stops the parse with one Errc::LimitExceeded error
/// that names the count, the limit and the zonekiln flag that raises it, e.g.
/// "input budget exceeded: 20000003 records (limit --max-records 1000000, the default for
/// 806 bytes of input)". The CLI fills it from flags; library code reads no environment.
///
/// "Input bytes" is the size of the distinct files read (one file included ten times, or
/// hard-linked under ten names, counts once). The defaults of max_records and max_input_bytes
/// follow it (0 = that default, see records_limit and input_bytes_limit): a zone written out
/// in full is never refused, while $INCLUDE fan-out and $GENERATE cannot multiply a small
/// input into gigabytes.
struct InputBudget {
  /// $INCLUDE nesting (--max-include-depth). At most kMaxIncludeDepthCeiling.
  uint32_t max_include_depth = 16;
  /// $INCLUDE directives followed over the whole tree (--max-includes).
  uint64_t max_includes = 10'000;
  /// Bytes of zone text read and expanded (--max-input-bytes): every file each time it is
  /// read, plus for every $GENERATE its count times the size of one expanded record (its
  /// owner with the origin, and its fields). 0 = input_bytes_limit's default.
  uint64_t max_input_bytes = 0;
  /// Records from text, $INCLUDE and $GENERATE together (--max-records). 0 = records_limit's
  /// default.
  uint64_t max_records = 0;
  /// One logical record (parentheses joined), or one directive, in bytes
  /// (--max-record-length).
  uint32_t max_record_length = 1u << 20;
};

inline constexpr uint32_t kMaxIncludeDepthCeiling = 256;  // the walk recurses once per level
/// Auto max_records: max(kMinRecordsBudget, input bytes / kInputBytesPerRecord). Text cannot
/// hold more than one record per 6 bytes (" NS a" and its newline), so the proportional part
/// never refuses a zone written out in full; the floor lets a small file $GENERATE a /12
/// reverse zone.
inline constexpr uint64_t kMinRecordsBudget = 1'000'000;
inline constexpr uint64_t kInputBytesPerRecord = 4;
/// Auto max_input_bytes: max(kMinInputBytesBudget, kInputBytesFactor x input bytes). Reading a
/// zone once uses 1x; the rest is room for re-included files and $GENERATE output.
inline constexpr uint64_t kMinInputBytesBudget = uint64_t{256} << 20;
inline constexpr uint64_t kInputBytesFactor = 4;

/// The record limit for input_bytes of distinct input (budget.max_records, or its default).
uint64_t records_limit(const InputBudget& budget, uint64_t input_bytes) noexcept;
/// The limit on bytes read and expanded for input_bytes of distinct input.
uint64_t input_bytes_limit(const InputBudget& budget, uint64_t input_bytes) noexcept;

struct ParseOptions {
  Name origin;                   // initial $ORIGIN (the zone apex); root if not set
  bool origin_set = false;       // false: relative names are errors until $ORIGIN
  uint32_t default_ttl = 3600;   // used when neither $TTL nor an earlier TTL applies
  bool default_ttl_set = false;  // when false and no TTL is known: warning, SOA minimum is used
  /// The zone's class (RFC 1035 s5.2: one class per zone file). When class_set is false it is
  /// taken from the class written on the file's first record (directives and $INCLUDEd files
  /// are not looked into), and is default_class when that record states none. A record that
  /// states another class is Errc::BadClass. Stored in ZoneStore::rclass.
  uint16_t default_class = 1;  // IN
  bool class_set = false;
  /// Directories $INCLUDE may read from (absolute paths). The zone file's own directory is always
  /// allowed. A path outside all of them is rejected (Errc::IncludeError).
  std::vector<std::string> include_dirs;
  bool allow_include = true;
  /// Octets allowed unescaped in names (owners, $ORIGIN, names inside RDATA): Lenient (the
  /// default) is RFC 2181 s11 as BIND reads it (every octet but NUL, blanks and " ( ) ;),
  /// Strict is Knot's rule (letters, digits, - _ / *). See FORMAT.md.
  NameSyntax name_syntax = NameSyntax::Lenient;
  /// When set, relative $INCLUDE paths resolve against this directory (BIND resolves them
  /// against its working directory) instead of the including file's directory.
  std::string include_base_dir;
  InputBudget budget;
  unsigned threads = 0;  // 0 = use the current TBB arena's concurrency
  /// Target size of the chunks parsed in parallel; chunks end before a record with an explicit
  /// owner. Output does not depend on it.
  size_t chunk_bytes = size_t{1} << 20;
};

/// Parses the zone file at path into store (appending records; store.origin is set from
/// options). Every problem is reported to diag with file:line:column; the parser resumes at the
/// next record and stops after diag's max_errors. Returns an error only when the file cannot be
/// read at all; callers check diag.has_errors() for data errors.
/// Thread-safety: independent calls are safe; one call may use several TBB threads.
Result<void> parse_file(const std::string& path, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag);

/// Receives one wave of a parse_file_waves parse: the records of consecutive input, in input
/// order (store.origin and store.rclass set). An error stops the parse and is its result.
using WaveSink = std::function<Result<void>(ZoneStore&& wave)>;

struct WaveOptions {
  /// About this many bytes of input per wave (whole chunks of ParseOptions::chunk_bytes).
  size_t wave_bytes = size_t{64} << 20;
  /// Where the private copy of the zone file goes (an unnamed file: see below).
  std::string copy_dir;
};

/// parse_file for a zone that may not fit in memory (pipeline/detail/spill.hpp): the same tree
/// walk, input budget and diagnostics, but the records are handed to sink a wave at a time and
/// only the wave being parsed is in memory. The zone file is read from an unnamed copy in
/// waves.copy_dir, mapped read-only, whose pages are given back as they are passed (a file
/// truncated or rewritten under the run cannot crash it). Errc::WriteFailed when the copy
/// cannot be made (ENOSPC, a read-only or missing copy_dir).
Result<void> parse_file_waves(const std::string& path, const ParseOptions& options,
                              const WaveOptions& waves, const WaveSink& sink, Diagnostics& diag);

/// Same, for text held in memory (tests, fuzzing). file_name is used in diagnostics; relative
/// $INCLUDE paths are resolved against base_dir (empty: $INCLUDE is an error).
Result<void> parse_text(std::string_view text, const std::string& file_name,
                        const std::string& base_dir, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag);

}  // namespace zk::parser
