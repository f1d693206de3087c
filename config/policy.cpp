#include "config/policy.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "dns/timeparse.hpp"
#include "signer/signer.hpp"

namespace zk::config {

namespace {

Unexpected expected(std::string_view name, std::string_view what) {
  return fail(Errc::Usage, std::string(name) + ": expected " + std::string(what));
}

// A duration: seconds as an integer, or text with units ("14d", "1w2d", "3600").
Result<int64_t> duration_of(const Value& v, bool allow_negative) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    if (*i < 0 && !allow_negative) return fail(Errc::Usage, "negative");
    return *i;
  }
  const auto* s = std::get_if<std::string>(&v);
  if (s == nullptr || s->empty()) return fail(Errc::Usage, "not a duration");
  std::string_view text = *s;
  bool negative = false;
  if (text.front() == '-' && allow_negative) {
    negative = true;
    text.remove_prefix(1);
  } else if (text.front() == '+') {
    text.remove_prefix(1);
  }
  auto d = parse_duration(text);
  if (!d) return fail(d.error());
  return negative ? -*d : *d;
}

template <auto Field>
Result<void> set_duration(Policy& p, const Value& v, std::string_view name, bool negative) {
  auto d = duration_of(v, negative);
  if (!d) {
    return expected(name, negative ? "a duration such as 1h, -2h, 14d or 3600 (seconds)"
                                   : "a duration such as 14d, 12h, 1w2d or 3600 (seconds)");
  }
  p.*Field = *d;
  return ok();
}

// TTL-like settings: seconds (units allowed), at most 2^31 - 1 (RFC 2181 s8).
template <auto Field>
Result<void> set_seconds(Policy& p, const Value& v, std::string_view name) {
  auto d = duration_of(v, false);
  if (!d || *d > 0x7fffffff) return expected(name, "seconds from 0 to 2147483647, or 1h, 1d");
  p.*Field = static_cast<uint32_t>(*d);
  return ok();
}

template <auto Field>
Result<void> set_bool(Policy& p, const Value& v, std::string_view name) {
  if (const auto* b = std::get_if<bool>(&v)) {
    p.*Field = *b;
    return ok();
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (*s == "true" || *s == "yes" || *s == "on") {
      p.*Field = true;
      return ok();
    }
    if (*s == "false" || *s == "no" || *s == "off") {
      p.*Field = false;
      return ok();
    }
  }
  return expected(name, "true or false");
}

Result<int64_t> integer_of(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  const auto* s = std::get_if<std::string>(&v);
  if (s == nullptr || s->empty() || s->size() > 18) return fail(Errc::Usage, "not a number");
  int64_t n = 0;
  for (char c : *s) {
    if (c < '0' || c > '9') return fail(Errc::Usage, "not a number");
    n = n * 10 + (c - '0');
  }
  return n;
}

const std::string* text_of(const Value& v) { return std::get_if<std::string>(&v); }

Result<std::vector<uint8_t>> salt_of(const std::string& text) {
  std::vector<uint8_t> salt;
  if (text == "-" || text.empty()) return salt;
  if (text.size() % 2 != 0 || text.size() > 510) return fail(Errc::Usage, "bad salt");
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex(text[i]), lo = hex(text[i + 1]);
    if (hi < 0 || lo < 0) return fail(Errc::Usage, "bad salt");
    salt.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return salt;
}

#define ZK_DURATION(name, field) \
  [](Policy& p, const Value& v) { return set_duration<&Policy::field>(p, v, name, false); }
#define ZK_SECONDS(name, field) \
  [](Policy& p, const Value& v) { return set_seconds<&Policy::field>(p, v, name); }
#define ZK_BOOL(name, field) \
  [](Policy& p, const Value& v) { return set_bool<&Policy::field>(p, v, name); }

constexpr std::string_view kAlgorithms =
    "an algorithm mnemonic or number: RSASHA256 (8), RSASHA512 (10), ECDSAP256SHA256 (13), "
    "ECDSAP384SHA384 (14), ED25519 (15), ED448 (16)";

const std::array kSettings = {
    Setting{"algorithm", Kind::Text, kAlgorithms, "ECDSAP256SHA256",
            "algorithm of new keys (keygen, ksk add --generate, ksr)",
            [](Policy& p, const Value& v) -> Result<void> {
              std::string text;
              if (const auto* i = std::get_if<int64_t>(&v)) text = std::to_string(*i);
              if (const auto* s = text_of(v)) text = *s;
              auto alg = signer::algorithm_from_text(text);
              if (text.empty() || !alg || !signer::algorithm_can_sign(*alg, true)) {
                return expected("algorithm", kAlgorithms);
              }
              p.algorithm = *alg;
              return ok();
            }},
    Setting{"bits", Kind::Count, "an RSA modulus size from 2048 to 4096", "2048 (RSA)",
            "RSA key size of new keys (keygen, ksk add --generate)",
            [](Policy& p, const Value& v) -> Result<void> {
              auto n = integer_of(v);
              if (!n || *n < 2048 || *n > 4096) return expected("bits", "2048 to 4096");
              p.bits = static_cast<unsigned>(*n);
              return ok();
            }},
    Setting{"csk", Kind::Bool, "true or false", "false", "sign everything with the KSK(s), no ZSK",
            ZK_BOOL("csk", csk)},
    Setting{"nsec3", Kind::Bool, "true or false", "false", "NSEC3 (RFC 5155) instead of NSEC",
            ZK_BOOL("nsec3", nsec3)},
    Setting{"nsec3-iterations", Kind::Count, "0 to 150 (RFC 9276: 0)", "0",
            "extra NSEC3 hash iterations (needs nsec3)",
            [](Policy& p, const Value& v) -> Result<void> {
              auto n = integer_of(v);
              if (!n || *n < 0 || *n > 65535) {
                return expected("nsec3-iterations", "0 to 150 (RFC 9276: 0)");
              }
              // Validators treat more iterations as insecure (RFC 9276 s3.2; BIND and Unbound
              // stop at 150), and verifying such a chain is a denial of service on the signer.
              if (*n > 150) {
                return fail(Errc::Usage,
                            "nsec3-iterations: " + std::to_string(*n) +
                                " is above 150: validators would treat the zone as insecure "
                                "(RFC 9276 s3.2); use 0");
              }
              p.nsec3_iterations = static_cast<uint16_t>(*n);
              return ok();
            }},
    Setting{"nsec3-salt", Kind::Text, "'-' (none) or up to 255 octets of hex", "-",
            "NSEC3 salt (needs nsec3; RFC 9276: none)",
            [](Policy& p, const Value& v) -> Result<void> {
              const std::string* s = text_of(v);
              auto salt = s ? salt_of(*s) : fail(Errc::Usage, "");
              if (!salt) return expected("nsec3-salt", "'-' (none) or up to 255 octets of hex");
              p.nsec3_salt = std::move(*salt);
              return ok();
            }},
    Setting{"nsec3-opt-out", Kind::Bool, "true or false", "false",
            "NSEC3 opt-out for insecure delegations (implies nsec3)",
            ZK_BOOL("nsec3-opt-out", nsec3_opt_out)},
    Setting{"sig-validity", Kind::Duration, "", "14d",
            "validity of new signatures (expiration - now)",
            ZK_DURATION("sig-validity", sig_validity)},
    Setting{"sig-refresh", Kind::Duration, "",
            "validity/4, at least max-ttl + propagation + 2 x run-interval",
            "re-sign an RRset when less than this validity remains",
            ZK_DURATION("sig-refresh", sig_refresh)},
    Setting{"sig-jitter", Kind::Duration, "", "validity - refresh, the whole refresh cycle",
            "spread expirations of new signatures over this much (earlier only, by a hash of "
            "owner and type), so that each run renews an even share of the zone; 0 = off",
            ZK_DURATION("sig-jitter", sig_jitter)},
    Setting{"sig-inception-offset", Kind::Duration, "", "1h",
            "new signatures start this long before now (negative: in the future)",
            [](Policy& p, const Value& v) {
              return set_duration<&Policy::sig_inception_offset>(p, v, "sig-inception-offset",
                                                                 true);
            }},
    Setting{"zsk-lifetime", Kind::Duration, "", "90d, longer when one rollover needs it",
            "ZSK rollover period", ZK_DURATION("zsk-lifetime", zsk_lifetime)},
    Setting{"propagation", Kind::Duration, "", "1h",
            "time for a new zone version to reach every secondary",
            ZK_DURATION("propagation", propagation)},
    Setting{"run-interval", Kind::Duration, "", "1d", "how often cron (or make) runs sign",
            ZK_DURATION("run-interval", run_interval)},
    Setting{"max-ttl", Kind::Seconds, "", "604800",
            "TTLs above are lowered to this (RRs and RRSIG original TTL); 0 = no clamp",
            ZK_SECONDS("max-ttl", max_ttl)},
    Setting{"dnskey-ttl", Kind::Seconds, "", "SOA minimum, at most 3600",
            "TTL of DNSKEY, CDS and CDNSKEY", ZK_SECONDS("dnskey-ttl", dnskey_ttl)},
    Setting{"ds-ttl", Kind::Seconds, "", "86400", "the parent's DS TTL (KSK rollover waits)",
            ZK_SECONDS("ds-ttl", ds_ttl)},
    Setting{"cds", Kind::Bool, "true or false", "true", "publish CDS/CDNSKEY for the KSKs",
            ZK_BOOL("cds", cds)},
    Setting{"zonemd", Kind::Bool, "true or false", "false",
            "publish a ZONEMD record (RFC 8976, SIMPLE)", ZK_BOOL("zonemd", zonemd)},
    Setting{"zonemd-hash", Kind::Text, "sha384 or sha512", "sha384",
            "ZONEMD hash algorithm (implies zonemd)",
            [](Policy& p, const Value& v) -> Result<void> {
              const std::string* s = text_of(v);
              if (s && (*s == "sha384" || *s == "1")) {
                p.zonemd_hash = 1;
              } else if (s && (*s == "sha512" || *s == "2")) {
                p.zonemd_hash = 2;
              } else {
                return expected("zonemd-hash", "sha384 or sha512");
              }
              return ok();
            }},
    Setting{"serial", Kind::Text, "keep, increment, unixtime or date", "increment",
            "SOA serial policy (never backwards, RFC 1982)",
            [](Policy& p, const Value& v) -> Result<void> {
              const std::string* s = text_of(v);
              using pipeline::SerialPolicy;
              if (s && *s == "keep") {
                p.serial = SerialPolicy::Keep;
              } else if (s && *s == "increment") {
                p.serial = SerialPolicy::Increment;
              } else if (s && *s == "unixtime") {
                p.serial = SerialPolicy::UnixTime;
              } else if (s && *s == "date") {
                p.serial = SerialPolicy::Date;
              } else {
                return expected("serial", "keep, increment, unixtime or date");
              }
              return ok();
            }},
    Setting{"verify", Kind::Text, "full, structure or none", "full",
            "check the output before publishing it: full (structure and every new signature), "
            "structure (all but the cryptography) or none",
            [](Policy& p, const Value& v) -> Result<void> {
              const std::string* s = text_of(v);
              using pipeline::VerifyMode;
              if (s && *s == "full") {
                p.verify = VerifyMode::Full;
              } else if (s && *s == "structure") {
                p.verify = VerifyMode::Structure;
              } else if (s && *s == "none") {
                p.verify = VerifyMode::None;
              } else {
                return expected("verify", "full, structure or none");
              }
              return ok();
            }},
};

#undef ZK_DURATION
#undef ZK_SECONDS
#undef ZK_BOOL

const std::array kDeprecated = {
    DeprecatedFlag{"refresh", "sig-refresh", "", ""},
    DeprecatedFlag{"jitter", "sig-jitter", "", ""},
    DeprecatedFlag{"ttl-clamp", "max-ttl", "", ""},
    DeprecatedFlag{"no-verify", "verify", "none", ""},
    DeprecatedFlag{
        "expiration", "sig-validity", "",
        "--sig-validity is a duration from now: --expiration +14d is --sig-validity 14d"},
    DeprecatedFlag{"inception", "sig-inception-offset", "",
                   "--sig-inception-offset is how long before now: --inception -1h is "
                   "--sig-inception-offset 1h"},
};

template <typename T>
void take(std::optional<T>& base, const std::optional<T>& top) {
  if (top) base = top;
}

}  // namespace

std::span<const Setting> settings() { return kSettings; }

const Setting* find_setting(std::string_view name) {
  for (const Setting& s : kSettings) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::span<const DeprecatedFlag> deprecated_flags() { return kDeprecated; }

Result<void> set(Policy& p, std::string_view name, const Value& v) {
  const Setting* s = find_setting(name);
  if (s == nullptr) return fail(Errc::Usage, "unknown setting '" + std::string(name) + "'");
  return s->set(p, v);
}

Policy overlay(Policy base, const Policy& top) {
  take(base.algorithm, top.algorithm);
  take(base.bits, top.bits);
  take(base.csk, top.csk);
  take(base.nsec3, top.nsec3);
  take(base.nsec3_opt_out, top.nsec3_opt_out);
  take(base.nsec3_iterations, top.nsec3_iterations);
  take(base.nsec3_salt, top.nsec3_salt);
  take(base.sig_validity, top.sig_validity);
  take(base.sig_refresh, top.sig_refresh);
  take(base.sig_jitter, top.sig_jitter);
  take(base.sig_inception_offset, top.sig_inception_offset);
  take(base.zsk_lifetime, top.zsk_lifetime);
  take(base.propagation, top.propagation);
  take(base.run_interval, top.run_interval);
  take(base.max_ttl, top.max_ttl);
  take(base.dnskey_ttl, top.dnskey_ttl);
  take(base.ds_ttl, top.ds_ttl);
  take(base.cds, top.cds);
  take(base.zonemd, top.zonemd);
  take(base.zonemd_hash, top.zonemd_hash);
  take(base.serial, top.serial);
  take(base.verify, top.verify);
  // A validity given one way replaces the other way (the newer layer wins).
  if (top.sig_validity) base.expiration_time.reset();
  if (top.sig_inception_offset) base.inception_time.reset();
  take(base.expiration_time, top.expiration_time);
  take(base.inception_time, top.inception_time);
  if (top.expiration_time) base.sig_validity.reset();
  if (top.inception_time) base.sig_inception_offset.reset();
  return base;
}

Result<void> validate(const Policy& p) {
  const bool nsec3 = p.nsec3.value_or(false) || p.nsec3_opt_out.value_or(false);
  if (p.nsec3 == false && p.nsec3_opt_out.value_or(false)) {
    return fail(Errc::Usage, "nsec3-opt-out: needs nsec3 = true (it is false)");
  }
  if (!nsec3 && (p.nsec3_iterations || p.nsec3_salt)) {
    return fail(Errc::Usage, std::string(p.nsec3_iterations ? "nsec3-iterations" : "nsec3-salt") +
                                 ": has no effect without nsec3 = true");
  }
  if (p.zonemd == false && p.zonemd_hash) {
    return fail(Errc::Usage, "zonemd-hash: needs zonemd = true (it is false)");
  }
  if (p.sig_jitter.value_or(0) > 0 && p.expiration_time) {
    // An explicit expiration is exact: every new signature carries it (a spread of 0 agrees).
    return fail(Errc::Usage,
                "sig-jitter: cannot be combined with --expiration (every new "
                "signature expires exactly then); use sig-validity instead");
  }
  if (p.sig_validity && *p.sig_validity <= 0) {
    return fail(Errc::Usage, "sig-validity: expected a duration above 0");
  }
  if (p.zsk_lifetime && *p.zsk_lifetime <= 0) {
    return fail(Errc::Usage, "zsk-lifetime: expected a duration above 0");
  }
  if (p.run_interval && *p.run_interval <= 0) {
    return fail(Errc::Usage, "run-interval: expected a duration above 0");
  }
  if (p.bits && p.algorithm && *p.algorithm != 8 && *p.algorithm != 10) {
    return fail(Errc::Usage, "bits: only RSA algorithms (8, 10) take a key size");
  }
  return ok();
}

signer::PolicyChoices timing_choices(const Policy& p) {
  signer::PolicyChoices c;
  c.sig_validity = p.sig_validity;
  c.sig_refresh = p.sig_refresh;
  c.sig_jitter = p.sig_jitter;
  c.zsk_lifetime = p.zsk_lifetime;
  c.propagation_delay = p.propagation;
  c.run_interval = p.run_interval;
  c.ttl_clamp = p.max_ttl;
  c.dnskey_ttl = p.dnskey_ttl;
  c.ds_ttl = p.ds_ttl;
  return c;
}

Result<void> sign_options(const Policy& p, int64_t now, int64_t clock_now,
                          pipeline::SignOptions& s) {
  if (auto v = validate(p); !v) return v;
  s.now = now;
  s.inception = now - p.sig_inception_offset.value_or(3600);  // validators with slow clocks
  s.expiration = now + p.sig_validity.value_or(signer::kDefaultSigValidity);
  if (p.inception_time) {
    auto t = parse_time(*p.inception_time, now);
    if (!t) return fail(Errc::Usage, "--inception: " + t.error().detail);
    s.inception = *t;
  }
  if (p.expiration_time) {
    auto t = parse_time(*p.expiration_time, now);
    if (!t) return fail(Errc::Usage, "--expiration: " + t.error().detail);
    s.expiration = *t;
    s.fixed_expiration = true;  // every new RRSIG expires exactly then (no spread)
  }
  // RFC 4034 s3.1.5: the times must be unambiguous to validators (whose clock is the real
  // one) and to this run, and the validity at most 68 years.
  const std::string inception = p.inception_time
                                    ? "--inception " + *p.inception_time
                                    : "the signature inception (now minus sig-inception-offset)";
  const std::string expiration = p.expiration_time
                                     ? "--expiration " + *p.expiration_time
                                     : "the signature expiration (now plus sig-validity)";
  for (const auto& [what, t] : {std::pair{&inception, s.inception}, {&expiration, s.expiration}}) {
    if (auto r = check_serial_time(*what, t, now, "--now"); !r) return r;
    if (auto r = check_serial_time(*what, t, clock_now, "the clock"); !r) return r;
  }
  if (s.expiration <= s.inception) {
    return fail(Errc::Usage, "signature expiration must be after inception");
  }
  if (s.expiration <= now || (p.inception_time && s.inception > now)) {
    // Signatures that are not valid when published make the zone bogus.
    const std::string window = "the signature window " + time_to_iso(s.inception) + " .. " +
                               time_to_iso(s.expiration) + " does not contain the signing time " +
                               time_to_iso(now) +
                               (now != clock_now ? std::string(" (--now)") : " (the clock)");
    if (!p.expiration_time && !p.inception_time) {
      return fail(Errc::Usage, "sig-validity: signatures would be expired: " + window);
    }
    return fail(Errc::Usage, window + "; to sign for another time give --now inside the window");
  }
  if (s.expiration - s.inception > kMaxSerialDistance) {
    return fail(Errc::Usage, "signature validity from " + time_to_iso(s.inception) + " to " +
                                 time_to_iso(s.expiration) +
                                 " is over 68 years (2^31-1 s), more than RRSIG serial-number "
                                 "times can express (RFC 4034 s3.1.5)");
  }
  s.nsec3.enabled = p.nsec3.value_or(false) || p.nsec3_opt_out.value_or(false);
  s.nsec3.opt_out = p.nsec3_opt_out.value_or(false);
  s.nsec3.iterations = p.nsec3_iterations.value_or(0);
  s.nsec3.salt = p.nsec3_salt.value_or(std::vector<uint8_t>{});
  s.max_ttl = p.max_ttl.value_or(signer::kDefaultTtlClamp);
  s.dnskey_ttl = p.dnskey_ttl;
  s.csk = p.csk.value_or(false);
  s.cds = p.cds.value_or(true);
  s.serial = p.serial.value_or(pipeline::SerialPolicy::Increment);
  s.verify = p.verify.value_or(pipeline::VerifyMode::Full);
  s.zonemd_hash =
      p.zonemd.value_or(false) || p.zonemd_hash ? p.zonemd_hash.value_or(uint8_t{1}) : 0;
  s.timing = timing_choices(p);
  // validity and clamp come from expiration and max_ttl (see SignOptions::timing).
  s.timing.sig_validity.reset();
  s.timing.ttl_clamp.reset();
  s.timing.dnskey_ttl.reset();
  return ok();
}

signer::Policy default_timing(const Policy& p) {
  return signer::derive_policy(timing_choices(p), 0,
                               p.dnskey_ttl.value_or(signer::kMaxDnskeyTtlDefault));
}

Result<signer::Policy> timing_policy(const Policy& p, const signer::Policy& base) {
  signer::Policy out = base;
  if (p.sig_validity) out.sig_validity = *p.sig_validity;
  if (p.sig_refresh) out.sig_refresh = *p.sig_refresh;
  if (p.sig_jitter) out.sig_spread = *p.sig_jitter;
  if (p.zsk_lifetime) out.zsk_lifetime = *p.zsk_lifetime;
  if (p.propagation) out.propagation_delay = *p.propagation;
  if (p.run_interval) out.run_interval = *p.run_interval;
  if (p.max_ttl) out.ttl_clamp = *p.max_ttl != 0 ? *p.max_ttl : 2147483647u;
  if (p.dnskey_ttl) out.dnskey_ttl = *p.dnskey_ttl;
  if (p.ds_ttl) out.ds_ttl = *p.ds_ttl;
  if (auto r = signer::check_timing(out); !r) return fail(r.error());
  return out;
}

uint8_t algorithm_or_default(const Policy& p) noexcept { return p.algorithm.value_or(13); }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest(std::string_view word, std::span<const std::string_view> candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string_view best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (std::string_view c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best_d <= limit ? std::string(best) : std::string();
}

}  // namespace zk::config
