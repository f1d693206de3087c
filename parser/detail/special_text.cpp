// Readers for the RDATA types whose presentation form is not a plain sequence of simple
// fields: WKS, APL, A6, IPSECKEY, HIP, CAA, AMTRELAY, NSAP and the NXT type bitmap.
#include <cstring>

#include "dns/rrtype.hpp"
#include "parser/detail/field_text.hpp"
#include "parser/detail/rdata_ctx.hpp"

namespace zk::parser::detail {

namespace {

struct Service {
  const char* name;
  uint16_t port;
};

// Fixed table instead of getservbyname(): output must not depend on the host's /etc/services.
constexpr Service kServices[] = {
    {"tcpmux", 1},       {"echo", 7},     {"discard", 9}, {"daytime", 13},  {"ftp-data", 20},
    {"ftp", 21},         {"ssh", 22},     {"telnet", 23}, {"smtp", 25},     {"time", 37},
    {"nameserver", 42},  {"whois", 43},   {"domain", 53}, {"tftp", 69},     {"gopher", 70},
    {"finger", 79},      {"http", 80},    {"www", 80},    {"kerberos", 88}, {"pop2", 109},
    {"pop3", 110},       {"sunrpc", 111}, {"auth", 113},  {"nntp", 119},    {"ntp", 123},
    {"imap", 143},       {"snmp", 161},   {"bgp", 179},   {"ldap", 389},    {"https", 443},
    {"submission", 587},
};

Result<uint8_t> protocol_from_text(std::string_view t) {
  if (equals_nocase(t, "tcp")) return uint8_t{6};
  if (equals_nocase(t, "udp")) return uint8_t{17};
  auto n = read_number(t, 255);
  if (!n) return fail(Errc::BadRdata, "expected a protocol number, tcp or udp");
  return static_cast<uint8_t>(*n);
}

Result<uint16_t> service_from_text(std::string_view t) {
  for (const Service& s : kServices) {
    if (equals_nocase(t, s.name)) return s.port;
  }
  auto n = read_number(t, 65535);
  if (!n) return fail(Errc::BadRdata, "expected a port number or service name");
  return static_cast<uint16_t>(*n);
}

// Gateway / relay of IPSECKEY (RFC 4025 s2.3) and AMTRELAY (RFC 8777 s4.2).
Result<void> read_gateway(RdataCtx& c, unsigned kind) {
  auto t = c.next("a gateway");
  if (!t) return fail(std::move(t.error()));
  switch (kind) {
    case 0:
      if (*t != ".") return c.bad_last(Errc::BadRdata, "expected '.' for no gateway");
      return ok();
    case 1:
      if (auto r = read_ipv4(*t, c.cur()); !r) return c.bad_last(std::move(r.error()));
      c.len += 4;
      return ok();
    case 2:
      if (auto r = read_ipv6(*t, c.cur()); !r) return c.bad_last(std::move(r.error()));
      c.len += 16;
      return ok();
    default: {
      Name name;
      if (auto r = name_from_text(*t, c.origin, name, c.names); !r) {
        return c.bad_last(std::move(r.error()));
      }
      c.put(name.data(), name.size());
      return ok();
    }
  }
}

Result<uint32_t> next_number(RdataCtx& c, uint32_t max, const char* what) {
  auto t = c.next(what);
  if (!t) return fail(std::move(t.error()));
  auto n = read_number(*t, max);
  if (!n) return c.bad_last(std::move(n.error()));
  return *n;
}

}  // namespace

Result<void> read_wks(RdataCtx& c) {
  auto a = c.next("an IPv4 address");
  if (!a) return fail(std::move(a.error()));
  if (auto r = read_ipv4(*a, c.cur()); !r) return c.bad_last(std::move(r.error()));
  c.len += 4;
  auto p = c.next("a protocol");
  if (!p) return fail(std::move(p.error()));
  auto proto = protocol_from_text(*p);
  if (!proto) return c.bad_last(std::move(proto.error()));
  c.put8(*proto);
  uint8_t* bits = c.cur();
  size_t used = 0;
  std::memset(bits, 0, 8192);
  while (!c.at_end()) {
    auto port = service_from_text(c.tokens[c.ti++].text);
    if (!port) return c.bad_last(std::move(port.error()));
    bits[*port / 8] |= static_cast<uint8_t>(0x80 >> (*port % 8));
    if (*port / 8 + 1u > used) used = *port / 8 + 1u;
  }
  c.len += used;
  return ok();
}

Result<void> read_apl(RdataCtx& c) {
  while (!c.at_end()) {
    std::string_view t = c.tokens[c.ti++].text;
    const bool negate = !t.empty() && t[0] == '!';
    if (negate) t.remove_prefix(1);
    const size_t colon = t.find(':'), slash = t.find('/');
    if (colon == std::string_view::npos || slash == std::string_view::npos || slash < colon) {
      return c.bad_last(Errc::BadRdata, "expected an APL item as [!]family:address/prefix");
    }
    auto family = read_number(t.substr(0, colon), 65535);
    if (!family || (*family != 1 && *family != 2)) {
      return c.bad_last(Errc::BadRdata, "expected APL address family 1 or 2");
    }
    const bool v4 = *family == 1;
    auto prefix = read_number(t.substr(slash + 1), v4 ? 32 : 128);
    if (!prefix) return c.bad_last(Errc::BadRdata, "APL prefix out of range");
    uint8_t addr[16];
    auto r = v4 ? read_ipv4(t.substr(colon + 1, slash - colon - 1), addr)
                : read_ipv6(t.substr(colon + 1, slash - colon - 1), addr);
    if (!r) return c.bad_last(std::move(r.error()));
    size_t afdlen = v4 ? 4 : 16;
    while (afdlen > 0 && addr[afdlen - 1] == 0) --afdlen;  // RFC 3123 s4.1
    if (auto n = c.need(4 + afdlen); !n) return n;
    c.put16(static_cast<uint16_t>(*family));
    c.put8(static_cast<uint8_t>(*prefix));
    c.put8(static_cast<uint8_t>((negate ? 0x80 : 0) | afdlen));
    c.put(addr, afdlen);
  }
  return ok();
}

Result<void> read_a6(RdataCtx& c) {
  auto prefix = next_number(c, 128, "a prefix length");
  if (!prefix) return fail(std::move(prefix.error()));
  c.put8(static_cast<uint8_t>(*prefix));
  const size_t suffix = (128 - *prefix + 7) / 8;
  if (suffix > 0) {
    auto t = c.next("an IPv6 address suffix");
    if (!t) return fail(std::move(t.error()));
    uint8_t addr[16];
    if (auto r = read_ipv6(*t, addr); !r) return c.bad_last(std::move(r.error()));
    c.put(addr + 16 - suffix, suffix);
  }
  if (*prefix > 0) return read_name_field(c, "a prefix name");
  return ok();
}

Result<void> read_ipseckey(RdataCtx& c) {
  auto prec = next_number(c, 255, "a precedence");
  if (!prec) return fail(std::move(prec.error()));
  auto kind = next_number(c, 3, "a gateway type (0-3)");
  if (!kind) return fail(std::move(kind.error()));
  auto alg = next_number(c, 255, "an algorithm");
  if (!alg) return fail(std::move(alg.error()));
  c.put8(static_cast<uint8_t>(*prec));
  c.put8(static_cast<uint8_t>(*kind));
  c.put8(static_cast<uint8_t>(*alg));
  if (auto r = read_gateway(c, *kind); !r) return r;
  // RFC 4025 s2.4: algorithm 0 means no key is present.
  if (*alg == 0) {
    if (!c.at_end())
      return RdataCtx::at(c.ti,
                          Error{Errc::BadRdata, {}, "no public key expected with algorithm 0"});
    return ok();
  }
  return read_base64_rest(c);
}

Result<void> read_hip(RdataCtx& c) {
  auto alg = next_number(c, 255, "a public key algorithm");
  if (!alg) return fail(std::move(alg.error()));
  auto hit = c.next("a HIT in hex");
  if (!hit) return fail(std::move(hit.error()));
  uint8_t* head = c.cur();
  c.len += 4;
  auto hn = read_hex(*hit, c.cur(), 255);
  if (!hn) return c.bad_last(std::move(hn.error()));
  c.len += *hn;
  auto pk = c.next("a public key in base64");
  if (!pk) return fail(std::move(pk.error()));
  auto pn = read_base64(*pk, c.cur(), 65535);
  if (!pn) return c.bad_last(std::move(pn.error()));
  c.len += *pn;
  head[0] = static_cast<uint8_t>(*hn);
  head[1] = static_cast<uint8_t>(*alg);
  head[2] = static_cast<uint8_t>(*pn >> 8);
  head[3] = static_cast<uint8_t>(*pn);
  while (!c.at_end()) {
    if (auto r = c.need(kMaxNameLen); !r) return r;
    if (auto r = read_name_field(c, "a rendezvous server"); !r) return r;
  }
  return ok();
}

Result<void> read_caa(RdataCtx& c) {
  auto flags = next_number(c, 255, "CAA flags");
  if (!flags) return fail(std::move(flags.error()));
  c.put8(static_cast<uint8_t>(*flags));
  auto tag = c.next("a CAA tag");
  if (!tag) return fail(std::move(tag.error()));
  if (tag->size() > 255) return c.bad_last(Errc::BadRdata, "CAA tag exceeds 255 octets");
  for (char ch : *tag) {
    const bool alnum =
        (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (!alnum) return c.bad_last(Errc::BadRdata, "CAA tag must be letters and digits");
  }
  c.put8(static_cast<uint8_t>(tag->size()));
  c.put(reinterpret_cast<const uint8_t*>(tag->data()), tag->size());
  auto value = c.next("a CAA value");
  if (!value) return fail(std::move(value.error()));
  auto n = read_escaped(*value, c.cur(), c.room());
  if (!n) return c.bad_last(std::move(n.error()));
  c.len += *n;
  return ok();
}

Result<void> read_amtrelay(RdataCtx& c) {
  auto prec = next_number(c, 255, "a precedence");
  if (!prec) return fail(std::move(prec.error()));
  auto dbit = next_number(c, 1, "a discovery optional bit (0 or 1)");
  if (!dbit) return fail(std::move(dbit.error()));
  auto kind = next_number(c, 3, "a relay type (0-3)");
  if (!kind) return fail(std::move(kind.error()));
  c.put8(static_cast<uint8_t>(*prec));
  c.put8(static_cast<uint8_t>((*dbit << 7) | *kind));
  if (*kind == 0 && c.at_end()) return ok();  // the "." placeholder may be left out
  return read_gateway(c, *kind);
}

Result<void> read_nsap(RdataCtx& c) {
  auto t = c.next("an NSAP address (0x...)");
  if (!t) return fail(std::move(t.error()));
  if (t->size() < 3 || (*t)[0] != '0' || ((*t)[1] != 'x' && (*t)[1] != 'X')) {
    return c.bad_last(Errc::BadRdata, "expected an NSAP address starting with 0x");
  }
  if (auto r = c.need(t->size() / 2); !r) return r;
  size_t nibbles = 0;
  for (size_t i = 2; i < t->size(); ++i) {
    const char ch = (*t)[i];
    if (ch == '.') continue;
    const int v = hex_value(ch);
    if (v < 0) return c.bad_last(Errc::BadHex, "expected hex digits in NSAP address");
    if (nibbles % 2 == 0) {
      c.out[c.len + nibbles / 2] = static_cast<uint8_t>(v << 4);
    } else {
      c.out[c.len + nibbles / 2] |= static_cast<uint8_t>(v);
    }
    ++nibbles;
  }
  if (nibbles == 0 || nibbles % 2 != 0) {
    return c.bad_last(Errc::BadHex, "NSAP address needs an even number of hex digits");
  }
  c.len += nibbles / 2;
  return ok();
}

Result<void> read_atma(RdataCtx& c) {
  auto t = c.next("an ATM address");
  if (!t) return fail(std::move(t.error()));
  if (auto r = c.need(1 + t->size()); !r) return r;
  if (!t->empty() && (*t)[0] == '+') {  // E.164
    if (t->size() < 2) return c.bad_last(Errc::BadRdata, "expected digits after + in ATMA");
    c.put8(1);
    size_t digits = 0;
    for (size_t i = 1; i < t->size(); ++i) {
      const char ch = (*t)[i];
      if (ch == '.') continue;  // separator, as NSD reads it
      if (ch < '0' || ch > '9') return c.bad_last(Errc::BadRdata, "expected digits in E.164 ATMA");
      c.put8(static_cast<uint8_t>(ch));
      ++digits;
    }
    // "+." has separators only: the wire would hold no address (fuzzer find).
    if (digits == 0) return c.bad_last(Errc::BadRdata, "expected digits after + in ATMA");
    return ok();
  }
  c.put8(0);  // AESA: hex digits, dots allowed as separators
  size_t nibbles = 0;
  for (const char ch : *t) {
    if (ch == '.') continue;
    const int v = hex_value(ch);
    if (v < 0) return c.bad_last(Errc::BadHex, "expected hex digits in ATMA address");
    if (nibbles % 2 == 0) {
      c.out[c.len + nibbles / 2] = static_cast<uint8_t>(v << 4);
    } else {
      c.out[c.len + nibbles / 2] |= static_cast<uint8_t>(v);
    }
    ++nibbles;
  }
  if (nibbles == 0 || nibbles % 2 != 0) {
    return c.bad_last(Errc::BadHex, "ATMA address needs an even number of hex digits");
  }
  c.len += nibbles / 2;
  return ok();
}

Result<void> read_nxt_bitmap(RdataCtx& c) {
  uint8_t bits[16] = {};
  size_t used = 0;
  while (!c.at_end()) {
    auto type = read_type(c.tokens[c.ti++].text);
    if (!type) return c.bad_last(std::move(type.error()));
    if (*type == 0 || *type > 127)
      return c.bad_last(Errc::BadRdata, "NXT bitmap holds types 1-127 only");
    bits[*type / 8] |= static_cast<uint8_t>(0x80 >> (*type % 8));
    if (*type / 8 + 1u > used) used = *type / 8 + 1u;
  }
  c.put(bits, used);
  return ok();
}

}  // namespace zk::parser::detail
