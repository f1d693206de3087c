#include "parser/detail/rdata_text.hpp"

#include "dns/rdata.hpp"
#include "dns/rdata_desc.hpp"
#include "dns/rrtype.hpp"
#include "parser/detail/field_text.hpp"
#include "parser/detail/rdata_ctx.hpp"

namespace zk::parser::detail {

using zk::rdesc::Field;

Result<void> read_name_field(RdataCtx& c, const char* what) {
  auto t = c.next(what);
  if (!t) return fail(std::move(t.error()));
  Name name;
  if (auto r = name_from_text(*t, c.origin, name, c.names); !r)
    return c.bad_last(std::move(r.error()));
  if (auto r = c.need(name.size()); !r) return r;
  c.put(name.data(), name.size());
  return ok();
}

Result<void> read_base64_rest(RdataCtx& c) {
  if (c.at_end()) return c.missing("base64 data");
  Base64Stream b64;
  while (!c.at_end()) {
    auto n = b64.feed(c.tokens[c.ti++].text, c.cur(), c.room());
    if (!n) return c.bad_last(std::move(n.error()));
    c.len += *n;
  }
  if (auto r = b64.finish(); !r) return c.bad_last(std::move(r.error()));
  return ok();
}

// Hex words are joined before decoding (dnspython writes "aaa aaaaa"); only the total must
// be even, so Knot's "00 0" is still refused.
Result<void> read_hex_rest(RdataCtx& c) {
  if (c.at_end()) return c.missing("hex data");
  size_t nibbles = 0;
  while (!c.at_end()) {
    const std::string_view t = c.tokens[c.ti++].text;
    if (t.empty()) return c.bad_last(Errc::BadHex, "expected hex digits");
    if (auto r = c.need((nibbles + t.size() + 1) / 2); !r) return r;
    for (char ch : t) {
      const int v = hex_value(ch);
      if (v < 0) return c.bad_last(Errc::BadHex, "expected hex digits");
      if (nibbles % 2 == 0) {
        c.out[c.len + nibbles / 2] = static_cast<uint8_t>(v << 4);
      } else {
        c.out[c.len + nibbles / 2] |= static_cast<uint8_t>(v);
      }
      ++nibbles;
    }
  }
  if (nibbles % 2 != 0) return c.bad_last(Errc::BadHex, "hex data needs an even number of digits");
  c.len += nibbles / 2;
  return ok();
}

namespace {

// RFC 3597 s5: "\# <length> <hex words>"; the hex may be split anywhere between words.
Result<size_t> read_generic(uint16_t type, uint16_t rclass, std::span<const Token> tokens,
                            uint8_t* out) {
  if (tokens.size() < 2) {
    return RdataCtx::at(tokens.size(),
                        Error{Errc::BadRdata, {}, "expected rdata length after \\#"});
  }
  auto n = read_number(tokens[1].text, 65535);
  if (!n)
    return RdataCtx::at(1, Error{Errc::BadRdata, {}, "expected rdata length (0-65535) after \\#"});
  const size_t want = *n;
  size_t nibbles = 0;
  for (size_t i = 2; i < tokens.size(); ++i) {
    for (char ch : tokens[i].text) {
      const int v = hex_value(ch);
      if (v < 0)
        return RdataCtx::at(i, Error{Errc::BadHex, {}, "expected hex digits in generic rdata"});
      if (nibbles >= 2 * want) {
        return RdataCtx::at(
            i, Error{Errc::BadRdata, {}, "generic rdata longer than its stated length"});
      }
      if (nibbles % 2 == 0) {
        out[nibbles / 2] = static_cast<uint8_t>(v << 4);
      } else {
        out[nibbles / 2] |= static_cast<uint8_t>(v);
      }
      ++nibbles;
    }
  }
  if (nibbles != 2 * want) {
    return RdataCtx::at(tokens.size() > 2 ? tokens.size() - 1 : 1,
                        Error{Errc::BadRdata, {}, "generic rdata shorter than its stated length"});
  }
  if (auto r = rdata_validate(type, {out, want}, rclass); !r) {
    return RdataCtx::at(0, std::move(r.error()));
  }
  return want;
}

template <typename T>
Result<void> take_number(RdataCtx& c, Result<T> (*fn)(std::string_view), const char* what,
                         int width) {
  auto t = c.next(what);
  if (!t) return fail(std::move(t.error()));
  auto v = fn(*t);
  if (!v) return c.bad_last(std::move(v.error()));
  if (width == 1) c.put8(static_cast<uint8_t>(*v));
  if (width == 2) c.put16(static_cast<uint16_t>(*v));
  if (width == 4) c.put32(static_cast<uint32_t>(*v));
  return ok();
}

Result<void> take_uint(RdataCtx& c, uint32_t max, int width) {
  auto t = c.next("a number");
  if (!t) return fail(std::move(t.error()));
  auto v = read_number(*t, max);
  if (!v) return c.bad_last(std::move(v.error()));
  if (width == 1) c.put8(static_cast<uint8_t>(*v));
  if (width == 2) c.put16(static_cast<uint16_t>(*v));
  if (width == 4) c.put32(*v);
  return ok();
}

Result<uint8_t> scheme_from_text(std::string_view t) {
  if (equals_nocase(t, "NOTIFY")) return uint8_t{1};
  auto n = read_number(t, 255);
  if (!n) return fail(Errc::BadNumber, "expected a scheme number or NOTIFY");
  return static_cast<uint8_t>(*n);
}

Result<uint32_t> ttl_from_text(std::string_view t) { return read_ttl(t, 0xffffffffu); }

Result<void> read_field(Field f, RdataCtx& c) {
  switch (f) {
    case Field::U8:
      return take_uint(c, 255, 1);
    case Field::U16:
      return take_uint(c, 65535, 2);
    case Field::U32:
      return take_uint(c, 0xffffffffu, 4);
    case Field::Ttl:
      return take_number<uint32_t>(c, ttl_from_text, "a time value", 4);
    case Field::Alg:
      return take_number<uint8_t>(c, read_algorithm, "an algorithm", 1);
    case Field::CertType:
      return take_number<uint16_t>(c, read_cert_type, "a certificate type", 2);
    case Field::Type:
      return take_number<uint16_t>(c, read_type, "a type mnemonic", 2);
    case Field::Time:
      return take_number<uint32_t>(c, read_time, "a time", 4);
    case Field::Scheme:
      return take_number<uint8_t>(c, scheme_from_text, "a scheme", 1);
    case Field::Octal16:
      return take_number<uint16_t>(c, read_octal16, "an octal address", 2);
    case Field::Ipn: {
      auto t = c.next("an IPN node number");
      if (!t) return fail(std::move(t.error()));
      auto v = read_ipn(*t);
      if (!v) return c.bad_last(std::move(v.error()));
      c.put32(static_cast<uint32_t>(*v >> 32));
      c.put32(static_cast<uint32_t>(*v));
      return ok();
    }
    case Field::Name:
    case Field::LName:
      return read_name_field(c, "a domain name");
    case Field::Ipv4:
    case Field::Ipv6: {
      const bool v4 = f == Field::Ipv4;
      auto t = c.next(v4 ? "an IPv4 address" : "an IPv6 address");
      if (!t) return fail(std::move(t.error()));
      auto r = v4 ? read_ipv4(*t, c.cur()) : read_ipv6(*t, c.cur());
      if (!r) return c.bad_last(std::move(r.error()));
      c.len += v4 ? 4 : 16;
      return ok();
    }
    case Field::Eui48:
    case Field::Eui64:
    case Field::L64: {
      auto t = c.next("an address");
      if (!t) return fail(std::move(t.error()));
      const size_t n = f == Field::Eui48 ? 6 : 8;
      auto r = f == Field::L64 ? read_l64(*t, c.cur()) : read_eui(*t, c.cur(), n);
      if (!r) return c.bad_last(std::move(r.error()));
      c.len += n;
      return ok();
    }
    case Field::StringOpt:
      if (c.at_end()) return ok();
      [[fallthrough]];
    case Field::String: {
      auto t = c.next("a character-string");
      if (!t) return fail(std::move(t.error()));
      auto n = read_char_string(*t, c.cur());
      if (!n) return c.bad_last(std::move(n.error()));
      c.len += *n;
      return ok();
    }
    case Field::Strings:
      if (c.at_end()) return c.missing("a character-string");
      while (!c.at_end()) {
        if (auto r = c.need(256); !r) return r;
        auto n = read_char_string(c.tokens[c.ti++].text, c.cur());
        if (!n) return c.bad_last(std::move(n.error()));
        c.len += *n;
      }
      return ok();
    case Field::Text: {
      auto t = c.next("a string");
      if (!t) return fail(std::move(t.error()));
      auto n = read_escaped(*t, c.cur(), c.room());
      if (!n) return c.bad_last(std::move(n.error()));
      c.len += *n;
      return ok();
    }
    case Field::Base64:
      return read_base64_rest(c);
    case Field::Base64Dash:
      if (!c.at_end() && c.tokens[c.ti].text == "-" && c.ti + 1 == c.tokens.size()) {
        ++c.ti;
        return ok();
      }
      return read_base64_rest(c);
    case Field::Base64Opt:
      if (c.at_end()) return ok();
      return read_base64_rest(c);
    case Field::Hex:
      return read_hex_rest(c);
    case Field::Salt: {
      auto t = c.next("a salt (hex or -)");
      if (!t) return fail(std::move(t.error()));
      auto n = read_salt(*t, c.cur());
      if (!n) return c.bad_last(std::move(n.error()));
      c.len += *n;
      return ok();
    }
    case Field::Hash32: {
      auto t = c.next("a base32hex hash");
      if (!t) return fail(std::move(t.error()));
      auto n = read_base32hex(*t, c.cur() + 1, 255);
      if (!n) return c.bad_last(std::move(n.error()));
      if (*n == 0) return c.bad_last(Errc::BadBase32, "expected a base32hex hash");
      c.put8(static_cast<uint8_t>(*n));
      c.len += *n;
      return ok();
    }
    case Field::Bitmap: {
      TypeBitmap bitmap;
      while (!c.at_end()) {
        if (auto r = read_bitmap_type(c.tokens[c.ti++].text, bitmap); !r) {
          return c.bad_last(std::move(r.error()));
        }
      }
      if (auto r = c.need(bitmap.wire_size()); !r) return r;
      c.len += bitmap.write(c.cur());
      return ok();
    }
    case Field::NxtBitmap:
      return read_nxt_bitmap(c);
    case Field::Nsap:
      return read_nsap(c);
    case Field::SvcParams:
      return read_svc_params(c);
    case Field::Wks:
      return read_wks(c);
    case Field::Loc:
      return read_loc(c);
    case Field::Apl:
      return read_apl(c);
    case Field::A6:
      return read_a6(c);
    case Field::Ipseckey:
      return read_ipseckey(c);
    case Field::Hip:
      return read_hip(c);
    case Field::Caa:
      return read_caa(c);
    case Field::Amtrelay:
      return read_amtrelay(c);
    case Field::Atma:
      return read_atma(c);
  }
  return c.missing("a known field kind");
}

}  // namespace

Result<size_t> rdata_from_text(uint16_t type, std::span<const Token> tokens, NameView origin,
                               uint8_t* out) {
  return rdata_from_text(type, tokens, origin, out, RdataTextOptions{});
}

Result<size_t> rdata_from_text(uint16_t type, std::span<const Token> tokens, NameView origin,
                               uint8_t* out, const RdataTextOptions& options) {
  size_t len = 0;
  if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
    auto n = read_generic(type, options.rclass, tokens, out);
    if (!n) return n;
    len = *n;
  } else {
    const zk::rdesc::RdataDesc* d = zk::rdesc::rdata_desc(type, options.rclass);
    if (d == nullptr) {
      std::string why = "type " + type_to_string(type);
      if (zk::rdesc::rdata_desc(type) != nullptr) {
        why += " has a text form only in class IN; in class " + class_to_string(options.rclass) +
               " its rdata";
      }
      return RdataCtx::at(
          0, Error{Errc::UnknownType, {}, why + " needs RFC 3597 generic form (\\# len hex)"});
    }
    RdataCtx c{tokens, 0, origin, out, 0, options.names};
    for (Field f : d->field_list()) {
      if (auto r = read_field(f, c); !r) return fail(std::move(r.error()));
    }
    if (!c.at_end()) {
      return RdataCtx::at(c.ti, Error{Errc::BadRdata, {}, "unexpected data after rdata"});
    }
    if (c.len > kMaxRdataLen) {
      return RdataCtx::at(tokens.empty() ? 0 : tokens.size() - 1,
                          Error{Errc::RdataTooLong, {}, "rdata exceeds 65535 octets"});
    }
    len = c.len;
  }
  rdata_canonicalize(type, {out, len}, options.rclass);
  return len;
}

}  // namespace zk::parser::detail
