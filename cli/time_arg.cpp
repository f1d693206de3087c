// Time arguments of `zonekiln sign` (--now, --inception, --expiration).
#include <ctime>

#include "cli/commands.hpp"

namespace zk::cli {

Result<int64_t> parse_time_arg(const std::string& text, int64_t now) {
  auto bad = [&] {
    return fail(Errc::Usage,
                "bad time '" + text + "' (want YYYYMMDDHHmmSS, unix seconds, or +/-N[smhdw])");
  };
  if (text.empty()) return bad();
  if (text == "now") return now;
  if (text[0] == '+' || text[0] == '-') {
    if (text.size() < 2) return bad();
    int64_t n = 0;
    size_t i = 1;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      n = n * 10 + (text[i] - '0');
      if (n > (int64_t{1} << 40)) return bad();
    }
    if (i == 1) return bad();
    int64_t unit = 1;
    if (i < text.size()) {
      if (i + 1 != text.size()) return bad();
      switch (text[i]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        case 'w':
          unit = 7 * 86400;
          break;
        default:
          return bad();
      }
    }
    return text[0] == '+' ? now + n * unit : now - n * unit;
  }
  for (char c : text) {
    if (c < '0' || c > '9') return bad();
  }
  if (text.size() == 14) {
    std::tm tm{};
    tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(text.substr(4, 2)) - 1;
    tm.tm_mday = std::stoi(text.substr(6, 2));
    tm.tm_hour = std::stoi(text.substr(8, 2));
    tm.tm_min = std::stoi(text.substr(10, 2));
    tm.tm_sec = std::stoi(text.substr(12, 2));
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60) {
      return bad();
    }
    return static_cast<int64_t>(timegm(&tm));
  }
  if (text.size() > 12) return bad();
  return static_cast<int64_t>(std::stoll(text));
}

}  // namespace zk::cli
