// Presentation-format RDATA -> wire RDATA, for every type zonekiln knows (and RFC 3597 generic
// form for all types). Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <span>
#include <string_view>

#include "dns/name.hpp"
#include "dns/result.hpp"

namespace zk::parser::detail {

/// One RDATA token of a record: a run of non-blank characters or a quoted string (quotes
/// removed, escapes NOT yet decoded: "\X" / "\DDD" are decoded by the field readers).
struct Token {
  std::string_view text;
  bool quoted = false;
};

/// Room the caller provides for wire output: the RDATA limit plus slack for a field's overshoot.
inline constexpr size_t kRdataBufSize = 65535 + 1024;

/// Converts the RDATA tokens of one record of the given type to canonical wire form in out
/// (kRdataBufSize bytes) and returns the length. Handles "\# len hex" for every type (checking
/// known types' wire format with rdata_validate). Names are completed with origin. The names that
/// RFC 4034 s6.2 lowercases are lowercased (rdata_canonicalize) before returning.
/// On failure the Error's where.offset holds the index of the offending token (the caller turns
/// it into a line and column); where.line/column are left 0. An index equal to tokens.size()
/// means data is missing at the end of the record (point at the record's last token or end).
/// Field layouts come from dns/rdata_desc.hpp, shared with validation and emit/.
Result<size_t> rdata_from_text(uint16_t type, std::span<const Token> tokens, NameView origin,
                               uint8_t* out);

/// Dialect choices for RDATA text (see parser/FORMAT.md).
struct RdataTextOptions {
  /// Octets allowed unescaped in names inside RDATA. Lenient (default, RFC 2181 s11 as BIND)
  /// reads zones such as "PTR !@#3." (bind9 good-dns-sd-reverse.db); Strict is Knot's set and
  /// rejects e.g. "NS a&b" as the Knot suite expects.
  NameSyntax names = NameSyntax::Lenient;
  /// The zone's class. IN-specific types (A, AAAA, SRV, ...) have their text form only in IN;
  /// in other classes they are read in RFC 3597 generic form, except BIND's CH A and HS A.
  uint16_t rclass = 1;
};
Result<size_t> rdata_from_text(uint16_t type, std::span<const Token> tokens, NameView origin,
                               uint8_t* out, const RdataTextOptions& options);

}  // namespace zk::parser::detail
