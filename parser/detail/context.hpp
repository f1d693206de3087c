// Shared internals of one parse: the file being read, the state at a segment start, segment
// outputs and how errors get their positions. Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/zone.hpp"
#include "parser/parser.hpp"

namespace zk::parser::detail {

/// One input file held in memory (padded with kPadding zero bytes). The buffer is shared by
/// every path that names the same file (an $INCLUDEd file is read from disk once).
struct SourceFile {
  std::shared_ptr<char[]> buffer;
  std::string_view text;  // without padding
  uint32_t index = 0;     // Diagnostics file index
  std::string dir;        // directory of the file (for relative $INCLUDE); empty: none
  /// The buffer is big_alloc memory that no other SourceFile shares (the top file, read by
  /// parse_file): the text of a parsed chunk may be given back to the system (see
  /// release_parsed_text in parser.cpp).
  bool release_parsed = false;
  /// The text is a read-only mapping of a file nobody else writes (parse_file_waves): pages
  /// given back are read from the file again if touched, so the planner and the parser give
  /// back what they have passed, whatever the size.
  bool refaultable = false;
};

/// Parser state at the start of a segment ($ORIGIN, $TTL, previous owner).
struct SegmentState {
  Name origin;
  bool has_origin = false;
  bool has_dollar_ttl = false;
  uint32_t dollar_ttl = 0;
  Name prev_owner;
  bool has_prev_owner = false;
  bool warn_inherited = false;  // first blank-owner record follows an $ORIGIN change
  NameView origin_view() const noexcept { return has_origin ? origin.view() : NameView{}; }
};

/// A run of records whose TTL depends on records before their segment (no $TTL, no TTL seen
/// yet). Within one chunk these are a contiguous run, so a zone without $TTL costs one entry
/// per chunk, not one per record.
struct PendingTtl {
  uint32_t first;  // index into the segment's store
  uint32_t count;
  SourcePos pos;     // of the run's first record, for the warning/error if one is needed
  std::string line;  // its source line
};

/// Output of one segment (a chunk of text, an $INCLUDEd file or a $GENERATE).
struct SegmentOut {
  ZoneStore store;
  std::vector<PendingTtl> pending;
  bool has_last_ttl = false;
  uint32_t last_ttl = 0;
  uint32_t errors = 0;  // errors reported while reading this segment (for $INCLUDE)
};

/// Read-only context of one parse_file/parse_text call, shared by all tasks.
struct ParseCtx {
  const ParseOptions& opt;
  Diagnostics& diag;
  std::vector<std::string> allowed_dirs;  // canonical, each ending in '/'
};

enum class SegKind : uint8_t { Chunk, Include, Generate };

/// A piece of one file's work, planned serially and parsed in parallel.
struct Segment {
  SegKind kind = SegKind::Chunk;
  const char* begin = nullptr;  // chunk text, or the directive record
  const char* end = nullptr;
  uint32_t line = 1;
  SegmentState state;
  std::string include_path;          // canonical path of an $INCLUDE
  const SourceFile* file = nullptr;  // set by the input tree walk (tree.hpp)
  uint64_t records = 0;  // at most this many records: a chunk's record spans, a $GENERATE's count
  uint64_t bytes = 0;    // text to read: a chunk's size, a $GENERATE's expanded records
};

/// The error text for a record or directive of len bytes over budget.max_record_length.
std::string record_length_text(uint64_t len, const InputBudget& budget);

/// ASCII case-insensitive equality (directive names, mnemonics).
bool iequal(std::string_view a, std::string_view b) noexcept;

/// Reports an error at pos (a pointer into file.text) of a record that starts at rec_begin on
/// line rec_line. Line, column and source line are worked out here, on the failure path only.
SourcePos position_of(const SourceFile& file, const char* rec_begin, uint32_t rec_line,
                      const char* pos, std::string* line_text);
void report(Diagnostics& diag, Severity sev, Errc code, std::string detail, const SourceFile& file,
            const char* rec_begin, uint32_t rec_line, const char* pos);

/// Moves every part after out in order, resolving each part's pending TTLs from the last TTL
/// before it and letting a record that continues the previous part's last owner share its Owner
/// entry. The record tables are copied into one table in parallel (in the caller's task arena).
void join_segments(SegmentOut& out, std::vector<SegmentOut>& parts);

/// Lets the records from boundary on whose owner equals the owner of the record before
/// boundary share that record's Owner entry (records that continue an owner across a segment).
void share_owner(ZoneStore& store, size_t boundary);

/// True for "@" and for names ending in an unescaped dot ($ORIGIN and $INCLUDE origins must
/// be absolute, as in Knot).
bool is_absolute_or_at(std::string_view token) noexcept;

/// Decodes "\X" and "\DDD" escapes of a token (file names, $INCLUDE). False on a bad escape.
bool unescape_text(std::string_view in, std::string& out);

}  // namespace zk::parser::detail
