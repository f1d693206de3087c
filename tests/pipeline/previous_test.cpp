// Incremental re-signing: the previous output's lookup, reuse rules and the "nothing to do"
// decision, on a zone signed by the writer itself (Ed25519: deterministic bytes).
#include "pipeline/detail/previous.hpp"

#include <oneapi/tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <optional>

#include "pipeline/detail/writer.hpp"
#include "tests/support/zone_builder.hpp"

using namespace zk;
using namespace zk::pipeline;
using zk::test::ZoneBuilder;

namespace {

constexpr uint32_t kInception = 1767225600;  // 2026-01-01
constexpr uint32_t kExpiration = kInception + 21 * 86400;

ZoneBuilder small_zone(uint8_t last_octet) {
  ZoneBuilder b("example.");
  b.add("example.", rrtype::SOA, 3600, test::soa("ns.example.", 10, 300))
      .add("example.", rrtype::NS, 3600, test::wire("ns.example."))
      .add("ns.example.", rrtype::A, 3600, test::a(192, 0, 2, 1))
      .add("www.example.", rrtype::A, 3600, test::a(192, 0, 2, last_octet));
  sort_zone(b.store);
  return b;
}

detail::KeyPlan plan_with(const signer::Key& key) {
  detail::KeyPlan k;
  k.zsks = {key};
  k.ksks = {key};
  k.params.signer = NameView{};
  k.params.inception = kInception;
  k.params.expiration = kExpiration;
  return k;
}

// Reuse rules at now: no spread (every new RRSIG expires at kExpiration), 9-day refresh.
detail::ReusePolicy reuse_at(int64_t now, NameView origin) {
  return {now, origin, {kExpiration - now, 9 * 86400, 0, 86400}};
}

void write(const ZoneStore& store, const ZoneIndex& index, detail::KeyPlan& keys,
           const std::string& path, const std::string* prev, int64_t now,
           detail::WriteStats* stats = nullptr) {
  keys.params.signer = store.origin.view();
  detail::WritePlan plan;
  plan.store = &store;
  plan.index = &index;
  plan.keys = &keys;
  plan.chain = detail::ChainKind::Nsec;
  plan.chain_ttl = 300;
  std::optional<detail::PreviousStream> stream;
  if (prev) plan.previous = &stream.emplace(*prev, store.origin.view());
  plan.reuse = reuse_at(now, store.origin.view());
  tbb::task_arena arena(2);
  arena.execute([&] {
    REQUIRE(detail::build_chain(plan, {}).has_value());
    auto f = emit::OutputFile::open(path);
    REQUIRE(f.has_value());
    auto w = detail::write_zone(plan, &*f);
    REQUIRE(w.has_value());
    if (stats) *stats = *w;
    REQUIRE(f->commit().has_value());
  });
}

}  // namespace

TEST_CASE("previous zone: unchanged RRsets reuse their RRSIGs byte for byte",
          "[pipeline][incremental]") {
  test::TempDir dir;
  auto key = signer::generate_key(15, false);
  REQUIRE(key.has_value());
  ZoneBuilder first = small_zone(80);
  ZoneIndex index = build_index(first.store);
  detail::KeyPlan keys = plan_with(*key);
  write(first.store, index, keys, dir.file("a"), nullptr, kInception);
  const std::string a = test::read_file(dir.file("a"));

  const std::string prev = dir.file("a");
  const detail::ReusePolicy reuse = reuse_at(kInception + 86400, first.store.origin.view());
  const detail::Unchanged same =
      detail::nothing_to_do(first.store, index, prev, keys, reuse, detail::ChainKind::Nsec, false);
  CHECK(same.unchanged);
  CHECK(same.earliest_expiration == kExpiration);
  // Too close to expiration: due.
  const detail::ReusePolicy late = reuse_at(kExpiration - 8 * 86400, first.store.origin.view());
  CHECK_FALSE(
      detail::nothing_to_do(first.store, index, prev, keys, late, detail::ChainKind::Nsec, false)
          .unchanged);
  // Another key signs now: nothing can be reused.
  auto other = signer::generate_key(15, false);
  REQUIRE(other.has_value());
  detail::KeyPlan other_keys = plan_with(*other);
  CHECK_FALSE(detail::nothing_to_do(first.store, index, prev, other_keys, reuse,
                                    detail::ChainKind::Nsec, false)
                  .unchanged);

  // One record changes: only that RRset is signed again; the rest are the old bytes.
  ZoneBuilder second = small_zone(81);
  ZoneIndex index2 = build_index(second.store);
  CHECK_FALSE(
      detail::nothing_to_do(second.store, index2, prev, keys, reuse, detail::ChainKind::Nsec, false)
          .unchanged);
  detail::WriteStats stats;
  write(second.store, index2, keys, dir.file("b"), &prev, kInception + 86400, &stats);
  CHECK(stats.rrsets_signed == 1);
  CHECK(stats.rrsets_reused == stats.rrsets - 1);
  const std::string b = test::read_file(dir.file("b"));
  size_t kept = 0;
  for (size_t pos = 0; (pos = a.find("\tRRSIG\t", pos)) != std::string::npos; ++pos) {
    const size_t start = a.rfind('\n', pos) + 1;
    const std::string line = a.substr(start, a.find('\n', pos) - start);
    if (line.rfind("www.example.", 0) == 0) continue;
    CHECK(b.find(line) != std::string::npos);
    ++kept;
  }
  CHECK(kept >= 4);
}

namespace {

constexpr int64_t kDay = 86400;

// A zone big enough for the spread to show: 400 names.
ZoneBuilder spread_zone() {
  ZoneBuilder b("example.");
  b.add("example.", rrtype::SOA, 3600, test::soa("ns.example.", 10, 300))
      .add("example.", rrtype::NS, 3600, test::wire("ns.example."))
      .add("ns.example.", rrtype::A, 3600, test::a(192, 0, 2, 1));
  for (int i = 0; i < 400; ++i) {
    b.add("h" + std::to_string(i) + ".example.", rrtype::A, 3600,
          test::a(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)));
  }
  sort_zone(b.store);
  return b;
}

// The sign run's schedule for a 14-day validity and 1-hour TTLs: refresh 3.5 days (a quarter),
// spread over the rest.
signer::RenewalSchedule spread_schedule() {
  return {14 * kDay, 14 * kDay / 4, 14 * kDay * 3 / 4, kDay};
}

detail::WriteStats write_spread(const ZoneStore& store, const ZoneIndex& index,
                                detail::KeyPlan& keys, const std::string& path,
                                const std::string* prev, int64_t now,
                                const signer::RenewalSchedule& schedule) {
  keys.params.signer = store.origin.view();
  detail::WritePlan plan;
  plan.store = &store;
  plan.index = &index;
  plan.keys = &keys;
  plan.chain = detail::ChainKind::Nsec;
  plan.chain_ttl = 300;
  std::optional<detail::PreviousStream> stream;
  if (prev) plan.previous = &stream.emplace(*prev, store.origin.view());
  plan.reuse = {now, store.origin.view(), schedule};
  detail::WriteStats stats;
  tbb::task_arena arena(2);
  arena.execute([&] {
    REQUIRE(detail::build_chain(plan, {}).has_value());
    auto f = emit::OutputFile::open(path);
    REQUIRE(f.has_value());
    auto w = detail::write_zone(plan, &*f);
    REQUIRE(w.has_value());
    stats = *w;
    REQUIRE(f->commit().has_value());
  });
  return stats;
}

}  // namespace

TEST_CASE("a new ZSK takes over RRset by RRset: retired ZSK's RRSIGs stand in until due",
          "[pipeline][incremental][renewal]") {
  test::TempDir dir;
  auto old_zsk = signer::generate_key(15, false);
  auto new_zsk = signer::generate_key(15, false);
  REQUIRE(old_zsk.has_value());
  REQUIRE(new_zsk.has_value());
  ZoneBuilder z = spread_zone();
  ZoneIndex index = build_index(z.store);
  const signer::RenewalSchedule s = spread_schedule();
  detail::KeyPlan before = plan_with(*old_zsk);
  const detail::WriteStats first =
      write_spread(z.store, index, before, dir.file("a"), nullptr, kInception, s);
  const std::string prev = dir.file("a");

  // The night the new ZSK becomes active: only the RRsets due tonight are signed by it.
  detail::KeyPlan after = plan_with(*new_zsk);
  after.ksks = before.ksks;
  after.retired_zsks = {{old_zsk->tag(), old_zsk->algorithm()}};
  const int64_t night = kInception + kDay;  // the next night
  const detail::WriteStats roll =
      write_spread(z.store, index, after, dir.file("b"), &prev, night, s);
  INFO("signed " << roll.rrsets_signed << " of " << roll.rrsets);
  CHECK(roll.rrsets_signed > 0);
  CHECK(double(roll.rrsets_signed) < 1.5 * signer::expected_share(s) * double(roll.rrsets));
  CHECK(roll.rrsets_renewed_early == 0);
  // The forecast made by the first run said how many fall due tonight.
  CHECK(first.forecast[0] == roll.signatures - roll.signatures_reused);

  // Without the stand-in (old key gone from the DNSKEY RRset) every RRset is signed anew.
  detail::KeyPlan no_stand_in = plan_with(*new_zsk);
  no_stand_in.ksks = before.ksks;
  const detail::WriteStats full =
      write_spread(z.store, index, no_stand_in, dir.file("c"), &prev, night, s);
  CHECK(full.rrsets_signed == full.rrsets);
}

TEST_CASE("off-phase RRSIGs are renewed early, one run's share at a time",
          "[pipeline][incremental][renewal]") {
  test::TempDir dir;
  auto key = signer::generate_key(15, false);
  REQUIRE(key.has_value());
  ZoneBuilder z = spread_zone();
  ZoneIndex index = build_index(z.store);
  detail::KeyPlan keys = plan_with(*key);
  signer::RenewalSchedule s = spread_schedule();
  // Signed without spread (as --expiration or an earlier version does): all expire together.
  signer::RenewalSchedule fixed = s;
  fixed.spread = 0;
  write_spread(z.store, index, keys, dir.file("a"), nullptr, kInception, fixed);
  const std::string prev = dir.file("a");
  const detail::ReusePolicy tonight{kInception + kDay, z.store.origin.view(), s};
  CHECK_FALSE(
      detail::nothing_to_do(z.store, index, prev, keys, tonight, detail::ChainKind::Nsec, false)
          .unchanged);
  const std::vector<uint64_t> forecast = detail::forecast_renewals(
      detail::PreviousZone::from_text(test::read_file(prev), z.store.origin.view(), prev), s,
      kInception);
  const detail::WriteStats w =
      write_spread(z.store, index, keys, dir.file("b"), &prev, kInception + kDay, s);
  INFO("renewed early " << w.rrsets_renewed_early << " of " << w.rrsets);
  CHECK(w.rrsets_renewed_early > 0);
  CHECK(w.rrsets_renewed_early == w.rrsets_signed);  // nothing was due
  CHECK(double(w.rrsets_signed) < 1.5 * signer::expected_share(s) * double(w.rrsets));
  CHECK(forecast[0] == w.signatures - w.signatures_reused);
  // The renewed RRSIGs are on phase: the same run again has nothing to do.
  const detail::Unchanged again = detail::nothing_to_do(z.store, index, dir.file("b"), keys,
                                                        tonight, detail::ChainKind::Nsec, false);
  CHECK(again.unchanged);
  // Its forecast, read piece by piece, is the one the run made while writing.
  CHECK(again.forecast ==
        std::vector<uint64_t>(w.forecast.begin(), w.forecast.begin() + signer::forecast_runs(s)));
}
