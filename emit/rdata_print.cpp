#include "emit/rdata_print.hpp"

#include <charconv>

#include "dns/base64.hpp"
#include "dns/name.hpp"
#include "dns/rdata_desc.hpp"
#include "dns/rrtype.hpp"
#include "emit/detail/print_special.hpp"
#include "emit/detail/text_out.hpp"

namespace zk::emit {

using zk::rdesc::Field;
using zk::rdesc::get16;
using zk::rdesc::get32;
using zk::rdesc::kBadField;
using namespace zk::emit::detail;

namespace {

void put_generic(std::string& out, std::span<const uint8_t> rdata) {
  out.append("\\# ");
  put_u32(out, static_cast<uint32_t>(rdata.size()));
  if (rdata.empty()) return;
  out.push_back(' ');
  put_hex(out, rdata.data(), rdata.size());
}

// Valid for the type and readable back to the same octets from text.
bool printable(const zk::rdesc::RdataDesc& d, const uint8_t* p, size_t n) noexcept {
  if (n > 65535) return false;
  size_t off = 0;
  for (Field f : d.field_list()) {
    const size_t len = zk::rdesc::field_wire_len(f, p + off, n - off);
    if (len == kBadField || !print_ok(f, p + off, len)) return false;
    off += len;
  }
  return off == n;
}

void put_bitmap(std::string& out, const uint8_t* p, size_t n) {
  bool first = true;
  for (size_t i = 0; i < n;) {
    const unsigned window = p[i], len = p[i + 1];
    for (unsigned b = 0; b < len * 8; ++b) {
      if (!(p[i + 2 + b / 8] & (0x80 >> (b & 7)))) continue;
      if (!first) out.push_back(' ');
      first = false;
      type_to_text(static_cast<uint16_t>(window * 256 + b), out);
    }
    i += 2 + len;
  }
}

void put_strings(std::string& out, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i += 1 + size_t{p[i]}) {
    if (i) out.push_back(' ');
    put_quoted(out, p + i + 1, p[i]);
  }
}

void put_eui(std::string& out, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (i) out.push_back('-');
    put_hex_lower(out, p + i, 1);
  }
}

void print_field(Field f, std::string& out, const uint8_t* p, size_t len) {
  switch (f) {
    case Field::U8:
      put_u32(out, p[0]);
      return;
    case Field::U16:
      put_u32(out, get16(p));
      return;
    case Field::U32:
    case Field::Ttl:
      put_u32(out, get32(p));
      return;
    case Field::Alg:
      put_u32(out, p[0]);
      return;  // BIND and ldns print the number
    case Field::CertType:
      if (const char* m = zk::rdesc::cert_type_mnemonic(get16(p))) {
        out.append(m);
      } else {
        put_u32(out, get16(p));
      }
      return;
    case Field::Type:
      type_to_text(get16(p), out);
      return;
    case Field::Time:
      put_time(out, get32(p));
      return;
    case Field::Octal16: {
      char buf[8];
      auto r = std::to_chars(buf, buf + sizeof buf, get16(p), 8);  // BIND's "%o"
      out.append(buf, r.ptr);
      return;
    }
    case Field::Ipn: {
      char buf[24];
      const uint64_t v = (uint64_t{get32(p)} << 32) | get32(p + 4);
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      out.append(buf, r.ptr);
      return;
    }
    case Field::Scheme:
      if (p[0] == 1) {
        out.append("NOTIFY");
      } else {
        put_u32(out, p[0]);
      }
      return;
    case Field::Name:
    case Field::LName:
      name_to_text({p, static_cast<uint16_t>(len)}, out);
      return;
    case Field::Ipv4:
      put_ipv4(out, p);
      return;
    case Field::Ipv6:
      put_ipv6(out, p);
      return;
    case Field::String:
    case Field::StringOpt:
    case Field::Strings:
      put_strings(out, p, len);
      return;
    case Field::Text:
      put_quoted(out, p, len);
      return;
    case Field::Base64:
      base64_append(out, p, len);
      return;
    case Field::Base64Opt:
      if (len != 0) base64_append(out, p, len);  // empty data: the field prints nothing
      return;
    case Field::Base64Dash:
      if (len == 0) {
        out.push_back('-');
      } else {
        base64_append(out, p, len);
      }
      return;
    case Field::Hex:
      put_hex(out, p, len);
      return;
    case Field::Salt:
      if (p[0] == 0) {
        out.push_back('-');
      } else {
        put_hex(out, p + 1, p[0]);
      }
      return;
    case Field::Hash32:
      put_base32hex(out, p + 1, p[0]);
      return;
    case Field::Bitmap:
      put_bitmap(out, p, len);
      return;
    case Field::NxtBitmap: {
      bool first = true;
      for (size_t b = 0; b < len * 8; ++b) {
        if (!(p[b / 8] & (0x80 >> (b & 7)))) continue;
        if (!first) out.push_back(' ');
        first = false;
        type_to_text(static_cast<uint16_t>(b), out);
      }
      return;
    }
    case Field::Eui48:
    case Field::Eui64:
      put_eui(out, p, len);
      return;
    case Field::L64:
      for (int g = 0; g < 4; ++g) {
        if (g) out.push_back(':');
        put_hex_lower(out, p + 2 * g, 2);
      }
      return;
    case Field::Nsap:
      out.append("0x");
      put_hex(out, p, len);
      return;
    case Field::SvcParams:
      print_svc_params(out, p, len);
      return;
    case Field::Wks:
      print_wks(out, p, len);
      return;
    case Field::Loc:
      print_loc(out, p, len);
      return;
    case Field::Apl:
      print_apl(out, p, len);
      return;
    case Field::A6:
      print_a6(out, p, len);
      return;
    case Field::Ipseckey:
      print_ipseckey(out, p, len);
      return;
    case Field::Hip:
      print_hip(out, p, len);
      return;
    case Field::Caa:
      print_caa(out, p, len);
      return;
    case Field::Amtrelay:
      print_amtrelay(out, p, len);
      return;
    case Field::Atma:
      print_atma(out, p, len);
      return;
  }
}

}  // namespace

void rdata_to_text(uint16_t type, std::span<const uint8_t> rdata, std::string& out) {
  rdata_to_text(type, rdata, out, rrclass::IN);
}

void rdata_to_text(uint16_t type, std::span<const uint8_t> rdata, std::string& out,
                   uint16_t rclass) {
  const zk::rdesc::RdataDesc* d = zk::rdesc::rdata_desc(type, rclass);
  const uint8_t* p = rdata.data();
  const size_t n = rdata.size();
  if (d == nullptr || !printable(*d, p, n)) {
    put_generic(out, rdata);
    return;
  }
  size_t off = 0;
  bool first = true;
  for (Field f : d->field_list()) {
    const size_t len = zk::rdesc::field_wire_len(f, p + off, n - off);
    const size_t mark = out.size();
    if (!first) out.push_back(' ');
    print_field(f, out, p + off, len);
    if (out.size() == mark + (first ? 0 : 1)) {
      out.resize(mark);  // the field printed nothing (empty bitmap, absent subaddress)
    } else {
      first = false;
    }
    off += len;
  }
}

}  // namespace zk::emit
