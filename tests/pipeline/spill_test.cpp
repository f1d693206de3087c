// Unit tests of the spill machinery (pipeline/detail/spill.hpp): unnamed files, sorted runs and
// their merge. The spilled compile as a whole is tested end to end by
// tests/e2e/spill/spill_compile.sh against the in-memory compile.
#include "pipeline/detail/spill.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/zone_builder.hpp"

using namespace zk;
using namespace zk::pipeline;
using namespace zk::pipeline::detail;

namespace {

using Flat = std::tuple<std::string, uint16_t, uint32_t, std::vector<uint8_t>>;

Flat flat(const Owner* owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
  return {name_to_string(owner->name()), type, ttl, {rdata.begin(), rdata.end()}};
}

// Records over a few hundred owners (many per owner, equal records in different waves),
// RDATA from empty to longer than a reader's buffer.
std::vector<test::ZoneBuilder> random_waves(std::mt19937_64& rng, size_t waves, size_t per_wave) {
  std::vector<test::ZoneBuilder> out;
  for (size_t w = 0; w < waves; ++w) {
    test::ZoneBuilder b("example.");
    for (size_t i = 0; i < per_wave; ++i) {
      const std::string owner =
          "n" + std::to_string(rng() % 300) + (rng() % 3 == 0 ? ".sub" : "") + ".Example.";
      const uint16_t type = static_cast<uint16_t>(1 + rng() % 4);
      const size_t len = rng() % 50 == 0 ? 5000 + rng() % 20000 : rng() % 8;
      std::vector<uint8_t> rdata(len);
      for (auto& c : rdata) c = static_cast<uint8_t>(rng() % 3);
      b.add(owner, type, static_cast<uint32_t>(rng() % 4), rdata);
    }
    out.push_back(std::move(b));
  }
  return out;
}

size_t entries(const std::string& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                           std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("spilled runs merge back into the order of one sort of all records",
          "[pipeline][spill]") {
  std::mt19937_64 rng(14);
  test::TempDir dir;
  auto file = SpillFile::create(dir.path());
  REQUIRE(file);
  auto waves = random_waves(rng, 7, 400);
  // The reference: every record in one store, sorted (duplicates within it removed).
  test::ZoneBuilder all("example.");
  for (auto& w : waves) {
    for (const RR& rr : w.store.rrs) {
      all.add(name_to_string(rr.owner->name()), rr.type, rr.ttl, {rr.rdata, rr.rdata + rr.rdlen});
    }
  }
  sort_zone(all.store);
  RunSpiller spiller(*file);
  for (auto& w : waves) REQUIRE(spiller.spill(w.store));
  CHECK(spiller.runs().size() == 7);
  CHECK(spiller.records() + spiller.duplicates() == 7 * 400);
  // A small buffer: most reads refill, the long RDATA grows it.
  RunMerger merger(*file, spiller.runs(), 512);
  std::vector<Flat> merged;
  for (;;) {
    auto more = merger.next();
    REQUIRE(more);
    if (!*more) break;
    const SpilledRR& r = merger.current();
    merged.push_back(flat(r.owner, r.type, r.ttl, r.rdata_span()));
  }
  REQUIRE(merged.size() == spiller.records());
  // The merge is in rr_compare order; removing equal records (keeping the lowest TTL, as
  // write_slices does) gives the one sort's records.
  std::vector<Flat> deduped;
  for (const Flat& f : merged) {
    if (!deduped.empty() && std::get<0>(deduped.back()) == std::get<0>(f) &&
        std::get<1>(deduped.back()) == std::get<1>(f) &&
        std::get<3>(deduped.back()) == std::get<3>(f)) {
      std::get<2>(deduped.back()) = std::min(std::get<2>(deduped.back()), std::get<2>(f));
      continue;
    }
    deduped.push_back(f);
  }
  REQUIRE(deduped.size() == all.store.rrs.size());
  for (size_t i = 0; i < deduped.size(); ++i) {
    const RR& rr = all.store.rrs[i];
    INFO("record " << i);
    CHECK(deduped[i] == flat(rr.owner, rr.type, rr.ttl, rr.rdata_span()));
  }
  // The spill file has no name: nothing in the directory, before or after.
  CHECK(entries(dir.path()) == 0);
}

TEST_CASE("a spilled owner entry is the store's own form", "[pipeline][spill]") {
  test::TempDir dir;
  auto file = SpillFile::create(dir.path());
  REQUIRE(file);
  test::ZoneBuilder b("example.");
  b.add("WWW.Example.", rrtype::A, 60, test::a(192, 0, 2, 1))
      .add("www.example.", rrtype::AAAA, 60, std::vector<uint8_t>(16, 1))
      .add("a\\000b.example.", rrtype::TXT, 60, test::txt("x"));
  sort_zone(b.store);
  RunWriter w(*file);
  for (const RR& rr : b.store.rrs) REQUIRE(w.add(rr));
  auto run = w.finish();
  REQUIRE(run);
  CHECK(run->records == 3);
  RunReader reader(*file, *run, 4096);
  Arena arena;
  for (const RR& rr : b.store.rrs) {
    auto more = reader.next();
    REQUIRE(more);
    REQUIRE(*more);
    const Owner* copy = copy_owner(arena, reader.current().owner);
    CHECK(owner_compare(copy, rr.owner) == 0);
    CHECK(name_equal(copy->name(), rr.owner->name()));
    CHECK(copy->key_len == rr.owner->key_len);
  }
  auto end = reader.next();
  REQUIRE(end);
  CHECK_FALSE(*end);
}

TEST_CASE("a spill file in a directory that cannot hold one is a write failure",
          "[pipeline][spill]") {
  auto file = SpillFile::create("/nonexistent/zonekiln-spill-dir");
  REQUIRE_FALSE(file);
  CHECK(file.error().code == Errc::WriteFailed);
  CHECK_THAT(file.error().detail, Catch::Contains("/nonexistent/zonekiln-spill-dir"));
}
