// Key-file timestamps and name text for the key files.
#include <cstdio>
#include <ctime>

#include "dns/timeparse.hpp"
#include "signer/detail/internal.hpp"

namespace zk::signer::detail {

std::string time_to_text(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool time_from_text(std::string_view s, int64_t* t) {
  auto v = parse_compact_time(s);  // the one strict date reader (dns/timeparse.hpp)
  if (!v) return false;
  *t = *v;
  return true;
}

std::string name_text(NameView name) {
  std::string s;
  name_to_text(name, s);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

}  // namespace zk::signer::detail
