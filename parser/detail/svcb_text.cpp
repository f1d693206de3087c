// SVCB/HTTPS SvcParams presentation form (RFC 9460 s2.1, Appendix A; RFC 9461 dohpath; RFC 9540
// ohttp). Parameters are collected, then sorted by key and written (s2.2: ascending order).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "dns/rdata_desc.hpp"
#include "parser/detail/field_text.hpp"
#include "parser/detail/rdata_ctx.hpp"

namespace zk::parser::detail {

namespace {

constexpr size_t kMaxParams = 64;

struct Param {
  uint16_t key;
  uint32_t at;   // value offset in the scratch area
  uint32_t len;  // value length
  uint32_t token;
};

Result<uint16_t> key_from_text(std::string_view t) {
  for (unsigned k = 0; k <= 12; ++k) {
    if (t == zk::rdesc::svc_key_mnemonic(static_cast<uint16_t>(k))) return static_cast<uint16_t>(k);
  }
  if (t == "echconfig") return uint16_t{5};  // draft name of ech, still in the wild
  if (t.size() > 3 && t.substr(0, 3) == "key") {
    const std::string_view digits = t.substr(3);
    auto n = read_number(digits, 65535);
    if (n) return static_cast<uint16_t>(*n);
  }
  return fail(Errc::BadRdata, "unknown SvcParamKey");
}

// Splits a decoded comma-separated value (RFC 9460 A.1): "\," and "\\" are literal, any other
// backslash is an error, empty items are errors. Calls item(ptr, len) per item with escapes
// removed (written into buf).
template <typename F>
Result<void> split_list(const uint8_t* v, size_t n, uint8_t* buf, size_t cap, F&& item) {
  size_t o = 0;
  for (size_t i = 0; i <= n; ++i) {
    if (i == n || v[i] == ',') {
      if (o == 0) return fail(Errc::BadRdata, "empty item in SvcParam value list");
      if (auto r = item(buf, o); !r) return r;
      o = 0;
      continue;
    }
    uint8_t ch = v[i];
    if (ch == '\\') {
      if (i + 1 >= n || (v[i + 1] != ',' && v[i + 1] != '\\')) {
        return fail(Errc::BadRdata, "backslash in SvcParam list must escape ',' or '\\'");
      }
      ch = v[++i];
    }
    // The item is bounded before it is complete: a long item must not run past buf.
    if (o >= cap) return fail(Errc::BadRdata, "SvcParam list item too long");
    buf[o++] = ch;
  }
  return ok();
}

// Converts the decoded value text of one key into wire at out (room cap); returns length.
// A comma-separated list (escapes decoded) written as length-prefixed strings of at most 255
// octets each: alpn (RFC 9460 s7.1.1) and docpath. what names an item for the error.
Result<size_t> length_prefixed_list(const uint8_t* v, size_t n, uint8_t* out, size_t cap,
                                    const char* what) {
  size_t o = 0;
  uint8_t item_buf[256];
  auto r = split_list(v, n, item_buf, sizeof item_buf,
                      [&](const uint8_t* p, size_t len) -> Result<void> {
                        if (len > 255) {
                          return fail(Errc::BadRdata, std::string(what) + " exceeds 255 octets");
                        }
                        if (o + 1 + len > cap)
                          return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
                        out[o++] = static_cast<uint8_t>(len);
                        std::memcpy(out + o, p, len);
                        o += len;
                        return ok();
                      });
  if (!r) return fail(std::move(r.error()));
  return o;
}

Result<size_t> value_wire(uint16_t key, bool has_value, const uint8_t* v, size_t n, uint8_t* out,
                          size_t cap) {
  const std::string_view text(reinterpret_cast<const char*>(v), n);
  auto need_value = [&]() -> Result<void> {
    if (!has_value || n == 0) return fail(Errc::BadRdata, "SvcParam needs a value");
    return ok();
  };
  switch (key) {
    case 0: {  // mandatory
      if (auto r = need_value(); !r) return fail(std::move(r.error()));
      uint16_t keys[kMaxParams];
      size_t count = 0;
      uint8_t item_buf[64];
      if (n > sizeof item_buf * 16) return fail(Errc::BadRdata, "mandatory list too long");
      auto r = split_list(v, n, item_buf, sizeof item_buf,
                          [&](const uint8_t* p, size_t len) -> Result<void> {
                            if (len >= sizeof item_buf)
                              return fail(Errc::BadRdata, "unknown SvcParamKey in mandatory");
                            auto k = key_from_text({reinterpret_cast<const char*>(p), len});
                            if (!k) return fail(std::move(k.error()));
                            if (*k == 0)
                              return fail(Errc::BadRdata, "mandatory must not list itself");
                            if (count >= kMaxParams)
                              return fail(Errc::BadRdata, "too many keys in mandatory");
                            keys[count++] = *k;
                            return ok();
                          });
      if (!r) return fail(std::move(r.error()));
      std::sort(keys, keys + count);
      for (size_t i = 1; i < count; ++i) {
        if (keys[i] == keys[i - 1]) return fail(Errc::BadRdata, "duplicate key in mandatory");
      }
      if (count * 2 > cap) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
      for (size_t i = 0; i < count; ++i) {
        out[2 * i] = static_cast<uint8_t>(keys[i] >> 8);
        out[2 * i + 1] = static_cast<uint8_t>(keys[i]);
      }
      return count * 2;
    }
    case 1: {  // alpn
      if (auto r = need_value(); !r) return fail(std::move(r.error()));
      return length_prefixed_list(v, n, out, cap, "alpn id");
    }
    case 2:   // no-default-alpn
    case 8:   // ohttp
    case 11:  // pvd
      if (has_value) return fail(Errc::BadRdata, "SvcParam takes no value");
      return size_t{0};
    case 9: {  // tls-supported-groups
      if (auto r = need_value(); !r) return fail(std::move(r.error()));
      size_t o = 0;
      size_t start = 0;
      for (size_t i = 0; i <= n; ++i) {
        if (i < n && v[i] != ',') continue;
        auto g = read_number(text.substr(start, i - start), 65535);
        if (!g) return fail(Errc::BadRdata, "expected a list of TLS group numbers");
        for (size_t k = 0; k < o; k += 2) {
          if (zk::rdesc::get16(out + k) == *g) return fail(Errc::BadRdata, "duplicate TLS group");
        }
        if (o + 2 > cap) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
        out[o++] = static_cast<uint8_t>(*g >> 8);
        out[o++] = static_cast<uint8_t>(*g);
        start = i + 1;
      }
      return o;
    }
    case 10: {  // docpath: like alpn, but may be empty
      if (n == 0) return size_t{0};
      return length_prefixed_list(v, n, out, cap, "docpath segment");
    }
    case 12: {  // oots: transport:percentage,...
      if (auto r = need_value(); !r) return fail(std::move(r.error()));
      size_t o = 0;
      size_t start = 0;
      for (size_t i = 0; i <= n; ++i) {
        if (i < n && v[i] != ',') continue;
        const std::string_view item = text.substr(start, i - start);
        start = i + 1;
        const size_t colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon > 255) {
          return fail(Errc::BadRdata, "expected transport:percentage in oots");
        }
        auto pct = read_number(item.substr(colon + 1), 100);
        if (!pct) return fail(Errc::BadRdata, "expected a percentage (0-100) in oots");
        const std::string_view transport = item.substr(0, colon);
        for (size_t k = 0; k < o; k += 2 + out[k]) {
          if (std::string_view(reinterpret_cast<const char*>(out + k + 1), out[k]) == transport) {
            return fail(Errc::BadRdata, "duplicate transport in oots");
          }
        }
        if (o + 2 + transport.size() > cap)
          return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
        out[o++] = static_cast<uint8_t>(transport.size());
        std::memcpy(out + o, transport.data(), transport.size());
        o += transport.size();
        out[o++] = static_cast<uint8_t>(*pct);
      }
      return o;
    }
    case 3: {
      if (auto r = need_value(); !r) return fail(std::move(r.error()));
      auto p = read_number(text, 65535);
      if (!p) return fail(Errc::BadRdata, "expected a port number");
      out[0] = static_cast<uint8_t>(*p >> 8);
      out[1] = static_cast<uint8_t>(*p);
      return size_t{2};
    }
    case 4:
    case 6: {
      if (auto r = need_value(); !r) return fail(std::move(r.error()));
      const bool v4 = key == 4;
      size_t o = 0;
      size_t start = 0;
      for (size_t i = 0; i <= n; ++i) {
        if (i < n && v[i] != ',') continue;
        if (o + 16 > cap) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
        const std::string_view a = text.substr(start, i - start);
        auto r = v4 ? read_ipv4(a, out + o) : read_ipv6(a, out + o);
        if (!r) return fail(std::move(r.error()));
        o += v4 ? 4 : 16;
        start = i + 1;
      }
      return o;
    }
    case 5: {  // ech: one base64 blob; NSD reads a bare "ech" as empty
      if (n == 0) return size_t{0};
      auto b = read_base64(text, out, cap);
      if (!b) return fail(std::move(b.error()));
      return *b;
    }
    default:  // dohpath and keyNNNN: the octets as written
      if (n > cap) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
      std::memcpy(out, v, n);
      return n;
  }
}

// RFC 9460 s2.2: no key twice; s8: the keys named in mandatory are present. sorted: the
// parameters in key order.
Result<void> check_keys(const Param* sorted, size_t count, RdataCtx& c) {
  for (size_t i = 1; i < count; ++i) {
    if (sorted[i].key == sorted[i - 1].key) {
      return RdataCtx::at(sorted[i].token, Error{Errc::BadRdata, {}, "duplicate SvcParamKey"});
    }
  }
  // RFC 9460 s8: keys named in mandatory must be present.
  if (count > 0 && sorted[0].key == 0) {
    const uint8_t* m = c.out + sorted[0].at + 4;
    for (size_t k = 0; k < sorted[0].len; k += 2) {
      const uint16_t mk = zk::rdesc::get16(m + k);
      bool found = false;
      for (size_t i = 1; i < count && !found; ++i) found = sorted[i].key == mk;
      if (!found) {
        return RdataCtx::at(sorted[0].token,
                            Error{Errc::BadRdata, {}, "mandatory names a key that is not present"});
      }
    }
  }
  return ok();
}

// The parameters were written in the order given; rewritten in key order (s2.2) when that
// differs (rare: one copy).
void write_in_key_order(const Param* params, const Param* sorted, size_t count, size_t base,
                        RdataCtx& c) {
  bool in_order = true;
  for (size_t i = 0; i < count; ++i) in_order = in_order && sorted[i].at == params[i].at;
  if (in_order) return;
  std::vector<uint8_t> copy(c.out + base, c.out + c.len);
  size_t o = base;
  for (size_t i = 0; i < count; ++i) {
    const size_t n = 4 + sorted[i].len;
    std::memcpy(c.out + o, copy.data() + (sorted[i].at - base), n);
    o += n;
  }
}

}  // namespace

Result<void> read_svc_params(RdataCtx& c) {
  Param params[kMaxParams];
  size_t count = 0;
  const size_t base = c.len;
  uint8_t decoded_buf[4096];
  // Parameters are written in the order given; sorting (s2.2: ascending keys) happens after.
  while (!c.at_end()) {
    const size_t tok = c.ti;
    std::string_view t = c.tokens[c.ti++].text;
    const size_t eq = t.find('=');
    auto key = key_from_text(t.substr(0, eq));
    if (!key) return c.bad_last(std::move(key.error()));
    const bool has_value = eq != std::string_view::npos;
    std::string_view value;
    if (has_value) {
      value = t.substr(eq + 1);
      if (value.empty() && !c.at_end() && c.tokens[c.ti].quoted) {
        value = c.tokens[c.ti++].text;  // key="quoted value" split by the scanner
      } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
    }
    if (count >= kMaxParams) return c.bad_last(Errc::BadRdata, "too many SvcParams");
    if (auto r = c.need(4); !r) return r;
    const size_t at = c.len;
    uint8_t* const val = c.out + at + 4;
    const size_t cap = kRdataBufSize - at - 4;
    auto decoded = read_escaped(value, val, cap);
    if (!decoded) return c.bad_last(std::move(decoded.error()));
    size_t wl = *decoded;
    // dohpath and unknown keys: the octets as written. The name "dohpath" needs a value
    // (RFC 9461 s5); "key7" may be empty, as Knot reads it.
    const bool raw = *key == 7 || *key > 12;
    if (*key == 7 && t.substr(0, eq) == "dohpath" && (!has_value || *decoded == 0)) {
      return c.bad_last(Errc::BadRdata, "dohpath needs a value");
    }
    if (!raw) {
      if (*decoded > sizeof decoded_buf)
        return c.bad_last(Errc::BadRdata, "SvcParam value too long");
      std::memcpy(decoded_buf, val, *decoded);
      auto w = value_wire(*key, has_value, decoded_buf, *decoded, val, cap);
      if (!w) return c.bad_last(std::move(w.error()));
      wl = *w;
    }
    if (wl > 65535) return c.bad_last(Errc::RdataTooLong, "rdata exceeds 65535 octets");
    c.put16(*key);
    c.put16(static_cast<uint16_t>(wl));
    c.len += wl;
    params[count++] = Param{*key, static_cast<uint32_t>(at), static_cast<uint32_t>(wl),
                            static_cast<uint32_t>(tok)};
  }
  Param sorted[kMaxParams];
  std::copy(params, params + count, sorted);
  std::stable_sort(sorted, sorted + count,
                   [](const Param& a, const Param& b) { return a.key < b.key; });
  if (auto r = check_keys(sorted, count, c); !r) return r;
  write_in_key_order(params, sorted, count, base, c);
  return ok();
}

}  // namespace zk::parser::detail
