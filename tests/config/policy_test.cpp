// One set of setting names and defaults for sign, status, ksk, ksr and the configuration file.
#include "config/policy.hpp"

#include <catch2/catch.hpp>

#include "config/shard.hpp"

using namespace zk;
using config::Policy;
using config::Value;

namespace {

constexpr int64_t kNow = 1'790'000'000;
constexpr int64_t kDay = 86400;

Policy with(std::initializer_list<std::pair<const char*, Value>> values) {
  Policy p;
  for (const auto& [k, v] : values) {
    auto r = config::set(p, k, v);
    INFO(k);
    REQUIRE(r.has_value());
  }
  return p;
}

}  // namespace

TEST_CASE("policy settings parse text (flags) and typed values (file) alike", "[config]") {
  struct Row {
    const char* name;
    Value value;
    int64_t expect;
  };
  const Row rows[] = {
      {"sig-validity", std::string("14d"), 14 * kDay},
      {"sig-validity", int64_t{1209600}, 14 * kDay},
      {"sig-validity", std::string("1w2d"), 9 * kDay},
      {"sig-refresh", std::string("+9d"), 9 * kDay},
      {"sig-jitter", std::string("12h"), 12 * 3600},
      {"sig-inception-offset", std::string("-2h"), -7200},
      {"zsk-lifetime", std::string("60d"), 60 * kDay},
      {"max-ttl", std::string("1d"), kDay},
      {"max-ttl", int64_t{0}, 0},
      {"dnskey-ttl", int64_t{300}, 300},
  };
  for (const Row& r : rows) {
    Policy p;
    INFO(r.name);
    REQUIRE(config::set(p, r.name, r.value).has_value());
    const std::string n = r.name;
    const int64_t got = n == "sig-validity"           ? *p.sig_validity
                        : n == "sig-refresh"          ? *p.sig_refresh
                        : n == "sig-jitter"           ? *p.sig_jitter
                        : n == "sig-inception-offset" ? *p.sig_inception_offset
                        : n == "zsk-lifetime"         ? *p.zsk_lifetime
                        : n == "max-ttl"              ? int64_t{*p.max_ttl}
                                                      : int64_t{*p.dnskey_ttl};
    CHECK(got == r.expect);
  }
  Policy p = with({{"nsec3", true},
                   {"nsec3-salt", std::string("aBcD")},
                   {"serial", std::string("unixtime")},
                   {"verify", std::string("structure")},
                   {"algorithm", std::string("ED25519")},
                   {"zonemd-hash", std::string("sha512")}});
  CHECK(*p.nsec3_salt == std::vector<uint8_t>{0xab, 0xcd});
  CHECK(*p.serial == pipeline::SerialPolicy::UnixTime);
  CHECK(*p.verify == pipeline::VerifyMode::Structure);
  CHECK(*p.algorithm == 15);
  CHECK(*p.zonemd_hash == 2);
}

TEST_CASE("a bad value names the setting and what was expected", "[config]") {
  struct Row {
    const char* name;
    Value value;
    const char* fragment;
  };
  const Row rows[] = {
      {"sig-validity", std::string("14x"), "sig-validity: expected a duration"},
      {"sig-validity", int64_t{-5}, "sig-validity: expected a duration"},
      {"sig-refresh", true, "sig-refresh: expected a duration"},
      {"max-ttl", int64_t{2147483648}, "max-ttl: expected seconds from 0 to 2147483647"},
      {"csk", std::string("maybe"), "csk: expected true or false"},
      {"nsec3-iterations", int64_t{70000}, "nsec3-iterations: expected 0 to 150"},
      {"nsec3-iterations", int64_t{151}, "nsec3-iterations: 151 is above 150"},
      {"nsec3-salt", std::string("abc"), "nsec3-salt: expected '-' (none) or up to 255"},
      {"serial", std::string("soon"), "serial: expected keep, increment, unixtime or date"},
      {"algorithm", std::string("RSAMD5"), "algorithm: expected an algorithm"},
      {"bits", int64_t{1024}, "bits: expected 2048 to 4096"},
  };
  for (const Row& r : rows) {
    Policy p;
    auto res = config::set(p, r.name, r.value);
    INFO(r.name);
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().code == Errc::Usage);
    CHECK(res.error().detail.find(r.fragment) == 0);
  }
  Policy p;
  CHECK_FALSE(config::set(p, "sig-validty", std::string("1d")).has_value());
}

TEST_CASE("settings that would be ignored are refused", "[config]") {
  CHECK_FALSE(config::validate(with({{"nsec3-iterations", int64_t{0}}})).has_value());
  CHECK_FALSE(config::validate(with({{"nsec3-salt", std::string("ab")}})).has_value());
  CHECK_FALSE(config::validate(with({{"nsec3", false}, {"nsec3-opt-out", true}})).has_value());
  CHECK_FALSE(config::validate(with({{"zonemd", false}, {"zonemd-hash", std::string("sha512")}}))
                  .has_value());
  CHECK_FALSE(
      config::validate(with({{"algorithm", int64_t{13}}, {"bits", int64_t{2048}}})).has_value());
  CHECK(config::validate(with({{"nsec3-opt-out", true}, {"nsec3-iterations", int64_t{0}}}))
            .has_value());
}

TEST_CASE("the upper layer wins in overlay (flags over the file's policy)", "[config]") {
  const Policy file = with({{"sig-validity", std::string("21d")}, {"nsec3", true}});
  const Policy flags = with({{"sig-validity", std::string("7d")}, {"csk", true}});
  const Policy p = config::overlay(file, flags);
  CHECK(*p.sig_validity == 7 * kDay);
  CHECK(*p.nsec3);
  CHECK(*p.csk);
  // A deprecated absolute expiration above replaces a validity below, and the other way round.
  Policy old_flag;
  old_flag.expiration_time = "+3d";
  const Policy q = config::overlay(file, old_flag);
  CHECK_FALSE(q.sig_validity.has_value());
  CHECK(*q.expiration_time == "+3d");
  CHECK_FALSE(config::overlay(q, flags).expiration_time.has_value());
}

TEST_CASE("sign options: one default per setting", "[config]") {
  pipeline::SignOptions s;
  REQUIRE(config::sign_options(Policy{}, kNow, kNow, s).has_value());
  CHECK(s.expiration - kNow == 14 * kDay);
  CHECK(kNow - s.inception == 3600);
  CHECK(s.max_ttl == 604800);
  CHECK(s.cds);
  CHECK_FALSE(s.csk);
  CHECK_FALSE(s.nsec3.enabled);
  CHECK(s.serial == pipeline::SerialPolicy::Increment);
  CHECK(s.verify == pipeline::VerifyMode::Full);
  CHECK(s.zonemd_hash == 0);

  pipeline::SignOptions t;
  Policy old_times;
  old_times.expiration_time = "+7d";
  old_times.inception_time = "-2h";
  REQUIRE(config::sign_options(old_times, kNow, kNow, t).has_value());
  CHECK(t.expiration - kNow == 7 * kDay);
  CHECK(kNow - t.inception == 7200);

  pipeline::SignOptions u;
  REQUIRE(config::sign_options(with({{"nsec3-opt-out", true},
                                     {"zonemd-hash", std::string("2")},
                                     {"sig-inception-offset", int64_t{0}}}),
                               kNow, kNow, u)
              .has_value());
  CHECK(u.nsec3.enabled);
  CHECK(u.nsec3.opt_out);
  CHECK(u.zonemd_hash == 2);
  CHECK(u.inception == kNow);
}

TEST_CASE("status and ksk derive the same timing defaults as sign", "[config]") {
  // sign derives its policy from the zone; for a zone whose TTLs reach the clamp and whose SOA
  // minimum is at least 3600 it must be what status and ksk assume for a zone never signed.
  pipeline::SignOptions s;
  REQUIRE(config::sign_options(Policy{}, kNow, kNow, s).has_value());
  signer::PolicyChoices c = s.timing;
  c.sig_validity = s.expiration - s.now;
  c.ttl_clamp = s.max_ttl;
  const signer::Policy from_sign = signer::derive_policy(c, 604800, 3600);
  const signer::Policy from_status = config::default_timing(Policy{});
  CHECK(from_sign.sig_validity == from_status.sig_validity);
  CHECK(from_sign.sig_refresh == from_status.sig_refresh);
  CHECK(from_sign.sig_spread == from_status.sig_spread);
  CHECK(from_sign.zsk_lifetime == from_status.zsk_lifetime);
  CHECK(from_sign.ttl_clamp == from_status.ttl_clamp);
  CHECK(from_sign.dnskey_ttl == from_status.dnskey_ttl);
  CHECK(from_status.sig_validity == 14 * kDay);
  // max TTL + propagation + 2 run intervals (refresh >= that survives one missed run)
  CHECK(from_status.sig_refresh == 604800 + 3600 + kDay + kDay);
  // The spread is the whole refresh cycle (issue 18): each night renews an even share.
  CHECK(from_status.sig_spread == -1);
  CHECK(signer::resolved_spread(from_status) == 14 * kDay - from_status.sig_refresh);
  CHECK(from_status.zsk_lifetime == 90 * kDay);
  CHECK(signer::check_timing(from_status).has_value());
  // status/ksk flags apply over the recorded policy and are checked.
  auto t = config::timing_policy(with({{"sig-refresh", std::string("1d")}}), from_status);
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().code == Errc::Usage);
}

TEST_CASE("did-you-mean suggestions", "[config]") {
  const std::array<std::string_view, 3> names = {"sig-validity", "sig-refresh", "max-ttl"};
  CHECK(config::closest("sig-validty", names) == "sig-validity");
  CHECK(config::closest("max_ttl", names) == "max-ttl");
  CHECK(config::closest("colour", names).empty());
}

TEST_CASE("shards are stable, disjoint and covering", "[config]") {
  CHECK(config::parse_shard("0/4")->count == 4);
  CHECK(config::parse_shard("3/4")->index == 3);
  for (const char* bad : {"4/4", "1/0", "x/4", "1", "-1/4", "1/4/5", "", "0/70000"}) {
    INFO(bad);
    CHECK_FALSE(config::parse_shard(bad).has_value());
  }
  // FNV-1a 64 of the canonical text: fixed values, so shards never move between versions.
  CHECK(config::shard_of("example.com.", 1) == 0);
  CHECK(config::shard_of("example.com.", 4) == 0xad4482bdcc688638ull % 4);
  std::array<int, 4> per{};
  for (int i = 0; i < 1000; ++i) {
    const uint32_t s = config::shard_of("z" + std::to_string(i) + ".example.", 4);
    REQUIRE(s < 4);
    ++per[s];
  }
  for (int n : per) CHECK(n > 150);  // each shard gets a fair share
}
