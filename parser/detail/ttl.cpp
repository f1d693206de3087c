#include "parser/detail/ttl.hpp"

#include "parser/detail/field_text.hpp"

namespace zk::parser::detail {

// One reader for every time field: record TTLs are SOA-timer syntax with the RFC 2181 bound.
Result<uint32_t> parse_ttl(std::string_view text) {
  return read_ttl(text, kMaxTtl, "ttl exceeds 2^31-1 (RFC 2181 s8)");
}

}  // namespace zk::parser::detail
