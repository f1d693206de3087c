// LOC presentation form (RFC 1876 s3):
//   d1 [m1 [s1]] {N|S} d2 [m2 [s2]] {E|W} alt[m] [siz[m] [hp[m] [vp[m]]]]
#include "dns/rdata_desc.hpp"
#include "parser/detail/field_text.hpp"
#include "parser/detail/rdata_ctx.hpp"

namespace zk::parser::detail {

namespace {

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Decimal with at most `frac` fraction digits, scaled by 10^frac; optional leading '-' when
// allow_neg; optional trailing 'm' when allow_m. Fails on anything else or when the whole
// part exceeds max (so seconds may be 59.999 with max 59).
bool fixed_point(std::string_view t, unsigned frac, bool allow_neg, bool allow_m, int64_t max,
                 int64_t* out) noexcept {
  if (allow_m && !t.empty() && (t.back() == 'm' || t.back() == 'M')) t.remove_suffix(1);
  bool neg = false;
  if (allow_neg && !t.empty() && t[0] == '-') {
    neg = true;
    t.remove_prefix(1);
  }
  if (t.empty()) return false;
  int64_t whole = 0;
  size_t i = 0;
  for (; i < t.size() && is_digit(t[i]); ++i) {
    whole = whole * 10 + (t[i] - '0');
    if (whole > max) return false;
  }
  if (i == 0) return false;
  int64_t part = 0;
  unsigned digits = 0;
  if (i < t.size()) {
    if (t[i] != '.') return false;
    for (++i; i < t.size(); ++i) {
      if (!is_digit(t[i]) || ++digits > frac) return false;
      part = part * 10 + (t[i] - '0');
    }
  }
  for (; digits < frac; ++digits) part *= 10;
  int64_t scale = 1;
  for (unsigned k = 0; k < frac; ++k) scale *= 10;
  const int64_t v = whole * scale + part;
  *out = neg ? -v : v;
  return true;
}

// RFC 1876 size/precision: centimetres as mantissa * 10^exponent, both 0..9.
uint8_t loc_size(int64_t cm) noexcept {
  unsigned e = 0;
  while (cm >= 10 && e < 9) {
    cm /= 10;
    ++e;
  }
  if (cm > 9) cm = 9;
  return static_cast<uint8_t>((cm << 4) | e);
}

// One coordinate: degrees [minutes [seconds]] hemisphere. Returns the wire value.
Result<uint32_t> coordinate(RdataCtx& c, bool latitude) {
  const char pos = latitude ? 'N' : 'E', neg = latitude ? 'S' : 'W';
  const char* what = latitude ? "a latitude" : "a longitude";
  const uint32_t max_deg = latitude ? 90 : 180;
  int64_t part[3] = {0, 0, 0};  // degrees, minutes, milliseconds
  unsigned n = 0;
  while (true) {
    auto t = c.next(what);
    if (!t) return fail(std::move(t.error()));
    if (t->size() == 1 && n > 0 && ((*t)[0] | 0x20) == (pos | 0x20)) {
      break;
    }
    if (t->size() == 1 && n > 0 && ((*t)[0] | 0x20) == (neg | 0x20)) {
      part[0] = -part[0] - 1;  // marker, fixed up below
      break;
    }
    if (n == 3) return c.bad_last(Errc::BadRdata, latitude ? "expected N or S" : "expected E or W");
    int64_t v;
    const bool okv = n == 2 ? fixed_point(*t, 3, false, false, 59, &v)
                            : fixed_point(*t, 0, false, false, n == 0 ? max_deg : 59, &v);
    if (!okv) return c.bad_last(Errc::BadRdata, std::string("expected ") + what + " in LOC");
    part[n++] = v;
  }
  bool south = part[0] < 0;
  if (south) part[0] = -part[0] - 1;
  const int64_t ms = part[0] * 3600000 + part[1] * 60000 + part[2];
  if (ms > int64_t{max_deg} * 3600000) {
    return c.bad_last(Errc::BadRdata, std::string(what) + " out of range in LOC");
  }
  const int64_t wire = (int64_t{1} << 31) + (south ? -ms : ms);
  return static_cast<uint32_t>(wire);
}

}  // namespace

Result<void> read_loc(RdataCtx& c) {
  auto lat = coordinate(c, true);
  if (!lat) return fail(std::move(lat.error()));
  auto lon = coordinate(c, false);
  if (!lon) return fail(std::move(lon.error()));
  auto alt_text = c.next("an altitude");
  if (!alt_text) return fail(std::move(alt_text.error()));
  int64_t alt;
  // RFC 1876: altitude in cm above a base 100000 m below the WGS 84 ellipsoid, 32 bits.
  if (!fixed_point(*alt_text, 2, true, true, 42849673, &alt) || alt < -10000000 ||
      alt > int64_t{0xffffffff} - 10000000) {
    return c.bad_last(Errc::BadRdata, "expected an altitude in metres (-100000.00 to 42849672.95)");
  }
  int64_t sizes[3] = {100, 1000000, 1000};  // defaults: 1m, 10000m, 10m
  for (int k = 0; k < 3 && !c.at_end(); ++k) {
    const std::string_view t = c.tokens[c.ti++].text;
    if (!fixed_point(t, 2, false, true, 90000000, &sizes[k]) || sizes[k] > 9000000000) {
      return c.bad_last(Errc::BadRdata, "expected a size or precision in metres (0-90000000.00)");
    }
  }
  c.put8(0);
  for (int64_t s : sizes) c.put8(loc_size(s));
  c.put32(*lat);
  c.put32(*lon);
  c.put32(static_cast<uint32_t>(alt + 10000000));
  return ok();
}

}  // namespace zk::parser::detail
