// sign --changes from the stream: the sign pass merge-joins each chunk of the new zone with the
// piece of the previous output that holds the same owners, so the previous output is never
// loaded whole. The lists must be those of comparing the whole files, across chunk boundaries,
// with reuse (incremental), without it (--full: read for the changes alone) and in a dry run.
#include "pipeline/detail/changes.hpp"

#include <oneapi/tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "pipeline/detail/previous_stream.hpp"
#include "pipeline/detail/writer.hpp"
#include "tests/support/zone_builder.hpp"

using namespace zk;
using namespace zk::pipeline;
using zk::test::ZoneBuilder;

namespace {

constexpr uint32_t kInception = 1767225600;  // 2026-01-01
constexpr uint32_t kExpiration = kInception + 21 * 86400;
constexpr int kNames = 1500;  // about three chunks of the signing pass

std::string host(int i) { return "h" + std::to_string(i) + ".example."; }

// kNames hosts; skip is left out, extra added, moved gets another address, longer another TTL.
ZoneBuilder zone(int skip, int extra, int moved, int longer) {
  ZoneBuilder b("example.");
  b.add("example.", rrtype::SOA, 3600, test::soa("ns.example.", 10, 300))
      .add("example.", rrtype::NS, 3600, test::wire("ns.example."))
      .add("ns.example.", rrtype::A, 3600, test::a(192, 0, 2, 1));
  for (int i = 0; i < kNames; ++i) {
    if (i == skip) continue;
    const uint8_t last = static_cast<uint8_t>(i == moved ? 250 : i % 200);
    b.add(host(i), rrtype::A, i == longer ? 7200 : 3600, test::a(10, 0, uint8_t(i / 200), last));
  }
  if (extra >= 0) b.add(host(extra) + "", rrtype::TXT, 3600, test::txt("new"));
  sort_zone(b.store);
  return b;
}

struct Pass {
  const std::string* previous = nullptr;      // reuse from it
  const std::string* changes_only = nullptr;  // read for the changes alone
  bool dry_run = false;
  const std::string* output = nullptr;
};

detail::WriteStats write(const ZoneStore& store, const signer::Key& key, const Pass& p) {
  const ZoneIndex index = build_index(store);
  detail::KeyPlan keys;
  keys.zsks = {key};
  keys.ksks = {key};
  keys.params.signer = store.origin.view();
  keys.params.inception = kInception;
  keys.params.expiration = kExpiration;
  detail::WritePlan plan;
  plan.store = &store;
  plan.index = &index;
  plan.keys = &keys;
  plan.chain = detail::ChainKind::Nsec;
  plan.chain_ttl = 300;
  plan.reuse = {
      kInception + 86400, store.origin.view(), {kExpiration - kInception, 9 * 86400, 0, 86400}};
  plan.dry_run = p.dry_run;
  plan.want_changes = p.previous || p.changes_only;
  std::optional<detail::PreviousStream> reuse, changes;
  if (p.previous) plan.previous = &reuse.emplace(*p.previous, store.origin.view());
  if (p.changes_only) plan.changes_from = &changes.emplace(*p.changes_only, store.origin.view());
  detail::WriteStats stats;
  tbb::task_arena arena(2);
  arena.execute([&] {
    REQUIRE(detail::build_chain(plan, {}).has_value());
    std::optional<emit::OutputFile> f;
    if (p.output) {
      auto o = emit::OutputFile::open(*p.output);
      REQUIRE(o.has_value());
      f = std::move(*o);
    }
    auto w = detail::write_zone(plan, f ? &*f : nullptr);
    REQUIRE(w.has_value());
    stats = std::move(*w);
    if (f) REQUIRE(f->commit().has_value());
  });
  return stats;
}

std::string owners(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    const auto j = nlohmann::json::parse(s);
    out += j["owner"].get<std::string>() + " " + j["type"].get<std::string>() + ";";
  }
  return out;
}

}  // namespace

TEST_CASE("changes: the streamed lists equal the whole-file comparison across chunks",
          "[pipeline][changes]") {
  test::TempDir dir;
  auto key = signer::generate_key(15, false);
  REQUIRE(key.has_value());
  const std::string a = dir.file("a"), b = dir.file("b");
  const ZoneBuilder first = zone(-1, -1, -1, -1);
  write(first.store, *key, {nullptr, nullptr, false, &a});

  // Changes in the first, second and third chunk of the pass.
  const ZoneBuilder second = zone(100, 700, 1200, 1400);
  std::string why;
  const detail::Changes whole = detail::changes_from_file(second.store, a, &why);
  CHECK(why.empty());
  CHECK(owners(whole.added) == host(700) + " TXT;");
  CHECK(owners(whole.removed) == host(100) + " A;");
  CHECK(owners(whole.changed) == host(1200) + " A;" + host(1400) + " A;");

  SECTION("reusing from the previous output") {
    const detail::WriteStats s = write(second.store, *key, {&a, nullptr, false, &b});
    CHECK(s.changes_complete);
    CHECK(s.changes.added == whole.added);
    CHECK(s.changes.removed == whole.removed);
    CHECK(s.changes.changed == whole.changed);
    CHECK(s.rrsets_reused > 0);
  }
  SECTION("nothing reused (--full): read for the changes alone") {
    const detail::WriteStats s = write(second.store, *key, {nullptr, &a, false, &b});
    CHECK(s.changes_complete);
    CHECK(s.changes.changed == whole.changed);
    CHECK(s.changes.added == whole.added);
    CHECK(s.changes.removed == whole.removed);
    CHECK(s.rrsets_reused == 0);
  }
  SECTION("a dry run: the same changes and reuse decisions as the real pass, nothing written") {
    const detail::WriteStats dry = write(second.store, *key, {&a, nullptr, true, nullptr});
    const detail::WriteStats real = write(second.store, *key, {&a, nullptr, false, &b});
    CHECK(dry.changes.added == whole.added);
    CHECK(dry.changes.removed == whole.removed);
    CHECK(dry.changes.changed == whole.changed);
    CHECK(dry.rrsets_signed == real.rrsets_signed);
    CHECK(dry.rrsets_reused == real.rrsets_reused);
    CHECK(dry.resign.added == real.resign.added);
    CHECK(dry.resign.changed == real.resign.changed);
  }
  SECTION("an edited previous output stops the streamed changes, not the pass") {
    // Two lines swapped: owners no longer in canonical order.
    std::string text = test::read_file(a);
    const size_t p1 = text.find("\n" + host(1300));
    const size_t e1 = text.find('\n', p1 + 1);
    const std::string line = text.substr(p1, e1 - p1);
    text.erase(p1, e1 - p1);
    text.insert(text.find("\n" + host(10) + "\t"), line);
    const std::string edited = dir.file("edited");
    test::write_file(edited, text);
    const detail::WriteStats s = write(second.store, *key, {nullptr, &edited, false, &b});
    CHECK_FALSE(s.changes_complete);
  }
}
