// zk::parser: master-file text (RFC 1035 s5) -> records in a ZoneStore.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"

namespace zk::parser {

/// Limits that bound time and memory on hostile input. Exceeding one is an error with a clear
/// message (Errc::LimitExceeded / Errc::IncludeError), never a crash.
struct ParseLimits {
  uint32_t max_include_depth = 16;
  uint64_t max_generate_records = 1'000'000;  // records one $GENERATE may expand to
  uint32_t max_line_length = 1u << 20;        // one logical record (parentheses joined), bytes
  uint64_t max_records = 200'000'000;         // total RRs in a zone
  uint32_t max_rrset_size = 1'000'000;        // RRs sharing owner and type (checked in pipeline)
};

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
  ParseLimits limits;
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

/// Same, for text held in memory (tests, fuzzing). file_name is used in diagnostics; relative
/// $INCLUDE paths are resolved against base_dir (empty: $INCLUDE is an error).
Result<void> parse_text(std::string_view text, const std::string& file_name,
                        const std::string& base_dir, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag);

}  // namespace zk::parser
