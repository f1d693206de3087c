// Time values on the command line and in reports: absolute times, offsets and durations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/result.hpp"

namespace zk {

/// Whether text is one or more ASCII digits (unix seconds, compact times, key tags in key file
/// names).
bool all_digits(std::string_view text) noexcept;

/// The one reader of times on the command line (every subcommand's --now, --inception,
/// --expiration, --from, --to). Parses a point in time relative to now (unix seconds):
///   "20261128045500"  YYYYMMDDHHmmSS in UTC (the RRSIG presentation form, RFC 4034 s3.2),
///   "1795000000"      unix seconds (up to 12 digits),
///   "+30d", "-12h"    now plus or minus a duration (see parse_duration),
///   "now"             now.
/// Strict: a date that does not exist (month 00 or 13, 31 April, 29 February 2027, hour 24,
/// second 60) is refused, never normalised into another date. Errc::Usage with the offending
/// text on anything else. Pure; thread-safe.
Result<int64_t> parse_time(std::string_view text, int64_t now);

/// YYYYMMDDHHmmSS (UTC) alone, with parse_time's strictness (also for key file metadata).
Result<int64_t> parse_compact_time(std::string_view text);

/// The one reader of durations (every subcommand's --zsk-lifetime, --refresh, --jitter,
/// --period, ...): a number of seconds, or numbers with units s, m, h, d, w ("90d", "1w2d",
/// "3600"). Errc::Usage on empty text, a sign, unknown units or more than 2^40 seconds.
Result<int64_t> parse_duration(std::string_view text);

/// RFC 4034 s3.1.5: RRSIG inception and expiration are 32-bit serial numbers of unix seconds,
/// so a validator can place a time unambiguously only within 2^31-1 seconds (68 years) of its
/// own clock, and a validity period can be at most that long.
inline constexpr int64_t kMaxSerialDistance = 2147483647;
/// The last second a 32-bit field of unix seconds holds without wrapping (2106-02-07).
inline constexpr int64_t kMaxFieldTime = 4294967295;

/// Checks a time that ends up in RRSIG fields or the key timeline: it must lie in 1970..2106
/// (0..kMaxFieldTime) and within kMaxSerialDistance of reference (the clock, or --now). what
/// names the value for the message ("--now 0", "the inception (--now minus 1h)"), reference_name
/// the reference ("the clock"). Errc::Usage saying which limit and why. Pure.
Result<void> check_serial_time(std::string_view what, int64_t t, int64_t reference,
                               std::string_view reference_name);

/// Unix seconds -> "YYYYMMDDHHmmSS" (UTC).
std::string time_to_compact(int64_t t);
/// Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (UTC, RFC 3339), for logs and reports.
std::string time_to_iso(int64_t t);
/// A duration as "12d 3h" style text (at most two units, for humans).
std::string duration_to_text(int64_t seconds);

/// Days since 1970-01-01 of a proleptic Gregorian date (no time zone involved).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept;

}  // namespace zk
