// The renewal schedule (signer/lifecycle/renewal.hpp) over simulated nights: the even spread, early
// renewal of off-phase signatures, the safety bounds, and the forecast.
#include "signer/lifecycle/renewal.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace zk;
using namespace zk::signer;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kStart = 1'790'000'000 + 3 * 3600;  // night 0, 03:00-ish, never the clock

// The operator defaults: 14-day validity, refresh max TTL 7d + 1h + 2 runs.
RenewalSchedule defaults() {
  const int64_t refresh = 7 * kDay + 3600 + 2 * kDay;
  return {14 * kDay, refresh, 14 * kDay - refresh, kDay};
}

std::vector<uint64_t> zone_hashes(size_t names) {
  std::vector<uint64_t> h;
  for (size_t i = 0; i < names; ++i) {
    Name n;
    REQUIRE(name_from_text("host" + std::to_string(i) + ".example.", NameView{}, n));
    h.push_back(renewal_hash(n.view(), 1));   // A
    h.push_back(renewal_hash(n.view(), 47));  // NSEC
  }
  return h;
}

struct Night {
  uint64_t renewed = 0, early = 0;
  int64_t min_left = INT64_MAX;  // smallest expiration - now after the run
};

// One run at now over every RRSIG (expirations updated in place), as the sign pass does it.
Night run(const RenewalSchedule& s, int64_t now, const std::vector<uint64_t>& hashes,
          std::vector<int64_t>& exp) {
  Night n;
  for (size_t i = 0; i < hashes.size(); ++i) {
    const Renewal r = renewal_of(s, now, hashes[i], exp[i]);
    if (r != Renewal::Keep) {
      ++n.renewed;
      n.early += r == Renewal::Early;
      exp[i] = renewal_expiration(s, now, hashes[i]);
    }
    n.min_left = std::min(n.min_left, exp[i] - now);
  }
  return n;
}

}  // namespace

TEST_CASE("new expirations: within the spread, on the RRset's phase, exact without spread",
          "[signer][renewal]") {
  const RenewalSchedule s = defaults();
  const std::vector<uint64_t> hashes = zone_hashes(500);
  for (int64_t now : {kStart, kStart + 12345, kStart + 40 * kDay + 7}) {
    for (uint64_t h : hashes) {
      const int64_t e = renewal_expiration(s, now, h);
      CHECK(e <= now + s.validity);
      CHECK(e > now + s.validity - s.spread);
      CHECK(e - now > s.refresh);  // never due when made
      CHECK(renewal_of(s, now, h, e) == Renewal::Keep);
    }
  }
  RenewalSchedule fixed = s;
  fixed.spread = 0;
  CHECK(renewal_expiration(fixed, kStart, hashes[0]) == kStart + s.validity);
  CHECK(renewal_expiration(fixed, kStart, hashes[1]) == kStart + s.validity);
  CHECK_FALSE(renews_early(fixed));
}

TEST_CASE("renewal phases of similar names are evenly spread", "[signer][renewal]") {
  const RenewalSchedule s = defaults();
  const std::vector<uint64_t> hashes = zone_hashes(20000);
  // Ten equal slices of the spread: each within 5 % of a tenth of the RRsets.
  std::vector<size_t> slice(10, 0);
  for (uint64_t h : hashes) ++slice[(h % s.spread) * 10 / s.spread];
  for (size_t n : slice) {
    CHECK(n > hashes.size() / 10 * 95 / 100);
    CHECK(n < hashes.size() / 10 * 105 / 100);
  }
}

TEST_CASE("first signing, then nights: every night renews about 1/N, never closer than refresh",
          "[signer][renewal]") {
  const RenewalSchedule s = defaults();
  const double n_runs = double(s.validity - s.refresh) / double(s.run_interval);  // 4.96
  const std::vector<uint64_t> hashes = zone_hashes(20000);
  std::vector<int64_t> exp(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) exp[i] = renewal_expiration(s, kStart, hashes[i]);
  for (int night = 1; night <= 60; ++night) {
    const Night n = run(s, kStart + night * kDay, hashes, exp);
    INFO("night " << night << " renewed " << n.renewed);
    CHECK(n.early == 0);  // everything was made on phase
    CHECK(double(n.renewed) <= 1.5 / n_runs * double(hashes.size()));
    CHECK(double(n.renewed) >= 0.5 / n_runs * double(hashes.size()));
    CHECK(n.min_left >= s.refresh);
  }
  CHECK(expected_share(s) == Approx(1 / n_runs));
  CHECK(forecast_runs(s) == 5);
}

TEST_CASE("a zone signed all at once without spread converges within one cycle",
          "[signer][renewal]") {
  // E.g. signed by an earlier version, another signer or with --expiration: every RRSIG
  // expires at the same second, all due on the same night.
  const RenewalSchedule s = defaults();
  const double share = expected_share(s);
  const std::vector<uint64_t> hashes = zone_hashes(20000);
  std::vector<int64_t> exp(hashes.size(), kStart + s.validity);
  uint64_t early = 0;
  for (int night = 1; night <= 30; ++night) {
    const Night n = run(s, kStart + night * kDay, hashes, exp);
    INFO("night " << night << " renewed " << n.renewed << " early " << n.early);
    early += n.early;
    // Early renewals are bounded by one run's share of the zone, and none is due too late.
    CHECK(double(n.early) <= 1.5 * share * double(hashes.size()));
    CHECK(n.min_left >= s.refresh);
    if (night > 6) CHECK(double(n.renewed) <= 1.5 * share * double(hashes.size()));
  }
  CHECK(early > 0);
  // After the cycle every RRSIG is on phase: no more early renewals.
  const int64_t later = kStart + 31 * kDay;
  for (size_t i = 0; i < hashes.size(); ++i) {
    CHECK(renewal_of(s, later, hashes[i], exp[i]) != Renewal::Early);
  }
}

TEST_CASE("a missed run never lets a signature expire, in caches either", "[signer][renewal]") {
  const RenewalSchedule s = defaults();
  const int64_t max_ttl = 7 * kDay, propagation = 3600;
  const std::vector<uint64_t> hashes = zone_hashes(5000);
  std::vector<int64_t> exp(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) exp[i] = renewal_expiration(s, kStart, hashes[i]);
  for (int night = 1; night <= 40; ++night) {
    if (night % 7 == 3) {
      // The run of this night does not happen: what the previous one published must outlast
      // the next run, its propagation and every cached copy.
      const int64_t next = kStart + (night + 1) * kDay;
      const int64_t earliest = *std::min_element(exp.begin(), exp.end());
      CHECK(earliest >= next + propagation + max_ttl);
      continue;
    }
    run(s, kStart + night * kDay, hashes, exp);
  }
}

TEST_CASE("the forecast is what the next runs do", "[signer][renewal]") {
  const RenewalSchedule s = defaults();
  const std::vector<uint64_t> hashes = zone_hashes(3000);
  // A mix: half on phase (made by a run 2 days ago), half off phase (all at one expiration).
  std::vector<int64_t> exp(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) {
    exp[i] = i % 2 ? renewal_expiration(s, kStart - 2 * kDay, hashes[i]) : kStart + 11 * kDay;
  }
  std::vector<SignatureTiming> sigs;
  for (size_t i = 0; i < hashes.size(); ++i) sigs.push_back({hashes[i], exp[i]});
  const std::vector<uint64_t> forecast = forecast_renewals(s, kStart, sigs);
  REQUIRE(forecast.size() == forecast_runs(s));
  for (size_t k = 0; k < forecast.size(); ++k) {
    const Night n = run(s, kStart + int64_t(k + 1) * kDay, hashes, exp);
    CHECK(forecast[k] == n.renewed);
  }
}

TEST_CASE("next_renewal is the first time a run re-makes the signature", "[signer][renewal]") {
  const RenewalSchedule s = defaults();
  const std::vector<uint64_t> hashes = zone_hashes(400);
  // On phase (made by a run) and off phase (one fixed expiration): for each, every time before
  // next_renewal keeps it, the time itself re-makes it (checked hour by hour up to it).
  for (size_t i = 0; i < hashes.size(); ++i) {
    const int64_t exp = i % 2 ? renewal_expiration(s, kStart, hashes[i]) : kStart + 11 * kDay;
    if (renewal_of(s, kStart, hashes[i], exp) != Renewal::Keep) continue;  // renewed tonight
    const int64_t next = next_renewal(s, kStart, hashes[i], exp);
    REQUIRE(next > kStart);
    for (int64_t t = kStart; t < next; t += 3600) {
      REQUIRE(renewal_of(s, t, hashes[i], exp) == Renewal::Keep);
    }
    REQUIRE(renewal_of(s, next - 1, hashes[i], exp) == Renewal::Keep);
    REQUIRE(renewal_of(s, next, hashes[i], exp) != Renewal::Keep);
  }
  // Without spread only the refresh window counts.
  RenewalSchedule flat = s;
  flat.spread = 0;
  CHECK(next_renewal(flat, kStart, hashes[0], kStart + 11 * kDay) ==
        kStart + 11 * kDay - flat.refresh + 1);
}
