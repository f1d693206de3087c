#include <charconv>

#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "emit/rdata_print.hpp"

namespace zk::emit {

void append_rr(std::string& out, NameView owner, uint32_t ttl, uint16_t rclass, uint16_t type,
               std::span<const uint8_t> rdata) {
  name_to_text(owner, out);
  out += '\t';
  char num[16];
  auto r = std::to_chars(num, num + sizeof num, ttl);
  out.append(num, r.ptr);
  if (rclass == rrclass::IN) {
    out += "\tIN\t";
  } else {
    out += '\t';
    class_to_text(rclass, out);
    out += '\t';
  }
  type_to_text(type, out);
  out += '\t';
  rdata_to_text(type, rdata, out, rclass);
  out += '\n';
}

}  // namespace zk::emit
