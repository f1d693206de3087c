// Time values on the command line and in reports: absolute times, offsets and durations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/result.hpp"

namespace zk {

/// Parses a point in time for options such as --now, relative to now (unix seconds):
///   "20261128045500"  YYYYMMDDHHmmSS in UTC (the RRSIG presentation form, RFC 4034 s3.2),
///   "1795000000"      unix seconds (any other all-digit text),
///   "+30d", "-12h"    now plus or minus a duration (see parse_duration),
///   "now"             now.
/// Errc::Usage with the offending text on anything else. Pure; thread-safe.
Result<int64_t> parse_time(std::string_view text, int64_t now);

/// Parses a duration: a number of seconds, or numbers with units s, m, h, d, w
/// ("90d", "1w2d", "3600"). Errc::Usage on empty text, unknown units or overflow.
Result<int64_t> parse_duration(std::string_view text);

/// Unix seconds -> "YYYYMMDDHHmmSS" (UTC).
std::string time_to_compact(int64_t t);
/// Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (UTC, RFC 3339), for logs and reports.
std::string time_to_iso(int64_t t);
/// A duration as "12d 3h" style text (at most two units, for humans).
std::string duration_to_text(int64_t seconds);

/// Days since 1970-01-01 of a proleptic Gregorian date (no time zone involved).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept;

}  // namespace zk
