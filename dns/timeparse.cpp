#include "dns/timeparse.hpp"

#include <cstdio>
#include <limits>

namespace zk {

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

namespace {

// Inverse of days_from_civil (H. Hinnant's algorithm), so no gmtime and no TZ dependence.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

unsigned digits(std::string_view s, size_t pos, size_t n) {
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + static_cast<unsigned>(s[pos + i] - '0');
  return v;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::string years_text(int64_t seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f years", static_cast<double>(seconds) / (365.2425 * 86400));
  return buf;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return fail(Errc::Usage, "empty duration");
  if (text[0] == '+' || text[0] == '-') {
    return fail(Errc::Usage,
                "bad duration '" + std::string(text) + "' (no sign; use e.g. 90d, 12h, 1w2d)");
  }
  if (all_digits(text)) {
    if (text.size() > 15) return fail(Errc::Usage, "duration too large: " + std::string(text));
    return static_cast<int64_t>(std::stoll(std::string(text)));
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 12 || i == text.size()) {
      return fail(Errc::Usage,
                  "bad duration '" + std::string(text) + "' (use e.g. 90d, 12h, 1w2d)");
    }
    const int64_t n = std::stoll(std::string(text.substr(start, i - start)));
    int64_t unit = 0;
    switch (text[i]) {
      case 's':
      case 'S':
        unit = 1;
        break;
      case 'm':
      case 'M':
        unit = 60;
        break;
      case 'h':
      case 'H':
        unit = 3600;
        break;
      case 'd':
      case 'D':
        unit = 86400;
        break;
      case 'w':
      case 'W':
        unit = 7 * 86400;
        break;
      default:
        return fail(Errc::Usage,
                    "bad duration unit in '" + std::string(text) + "' (s, m, h, d, w)");
    }
    ++i;
    total += n * unit;
    if (total > (int64_t{1} << 40))
      return fail(Errc::Usage, "duration too large: " + std::string(text));
  }
  return total;
}

Result<int64_t> parse_compact_time(std::string_view text) {
  if (text.size() != 14 || !all_digits(text)) {
    return fail(Errc::Usage, "bad time '" + std::string(text) + "' (YYYYMMDDHHmmSS, UTC)");
  }
  const int64_t y = digits(text, 0, 4);
  const unsigned mo = digits(text, 4, 2), d = digits(text, 6, 2), h = digits(text, 8, 2),
                 mi = digits(text, 10, 2), s = digits(text, 12, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59) {
    return fail(Errc::Usage,
                "bad time '" + std::string(text) + "': no such date or time (YYYYMMDDHHmmSS, UTC)");
  }
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

Result<int64_t> parse_time(std::string_view text, int64_t now) {
  if (text == "now") return now;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    auto d = parse_duration(text.substr(1));
    if (!d)
      return fail(Errc::Usage, "bad time offset '" + std::string(text) + "': " + d.error().detail);
    return text[0] == '+' ? now + *d : now - *d;
  }
  if (text.size() == 14 && all_digits(text)) return parse_compact_time(text);
  if (all_digits(text) && text.size() <= 12)
    return static_cast<int64_t>(std::stoll(std::string(text)));
  return fail(Errc::Usage, "bad time '" + std::string(text) +
                               "' (YYYYMMDDHHmmSS, unix seconds, now, or +/-offset like +30d)");
}

Result<void> check_serial_time(std::string_view what, int64_t t, int64_t reference,
                               std::string_view reference_name) {
  const std::string why = " (RRSIG times are 32-bit serial numbers, RFC 4034 s3.1.5)";
  if (t < 0) {
    return fail(Errc::Usage, std::string(what) + " is " + time_to_iso(t) +
                                 ", before 1970: an RRSIG time field cannot hold it" + why);
  }
  if (t > kMaxFieldTime) {
    return fail(Errc::Usage, std::string(what) + " is " + time_to_iso(t) +
                                 ", after 2106-02-07T06:28:15Z: an RRSIG time field cannot hold "
                                 "it" +
                                 why);
  }
  const int64_t distance = t > reference ? t - reference : reference - t;
  if (distance > kMaxSerialDistance) {
    return fail(Errc::Usage,
                std::string(what) + " is " + time_to_iso(t) + ", " + years_text(distance) +
                    (t > reference ? " after " : " before ") + std::string(reference_name) + " (" +
                    time_to_iso(reference) + "): validators cannot tell it from a time 136 years " +
                    (t > reference ? "earlier" : "later") + " beyond 68 years (2^31-1 s)" + why);
  }
  return ok();
}

std::string time_to_compact(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u%02u%02u%02u", static_cast<long long>(y), m, d,
                static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs / 60 % 60),
                static_cast<unsigned>(secs % 60));
  return buf;
}

std::string time_to_iso(int64_t t) {
  const std::string c = time_to_compact(t);
  return c.substr(0, 4) + "-" + c.substr(4, 2) + "-" + c.substr(6, 2) + "T" + c.substr(8, 2) + ":" +
         c.substr(10, 2) + ":" + c.substr(12, 2) + "Z";
}

std::string duration_to_text(int64_t s) {
  const char* sign = s < 0 ? "-" : "";
  if (s < 0) s = -s;
  char buf[48];
  if (s >= 86400) {
    std::snprintf(buf, sizeof buf, "%s%lldd %lldh", sign, static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%s%lldh %lldm", sign, static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%s%llds", sign, static_cast<long long>(s));
  }
  return buf;
}

}  // namespace zk
