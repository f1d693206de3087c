// Months of nightly runs on real files: key directory, state file, lock, generated keys.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "dns/atomic_file.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "tests/signer/lifecycle/lifecycle_fixture.hpp"

using namespace zk::signer;
using zk::test::published_run;
using zk::test::TempDir;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kStart = 1'790'000'000;

struct Night {
  int exit_code = 0;
  KeyPlan plan;
};

// One cron run: lock, read state, prepare keys, "write the zone", commit.
Night run_night(const std::string& dir, const zk::Name& origin, const Policy& policy, int64_t now) {
  auto lock = StateLock::acquire(dir, 0);
  REQUIRE(lock.has_value());
  // A second run started meanwhile fails clearly and does not touch the state.
  auto second = StateLock::acquire(dir, 0);
  REQUIRE_FALSE(second.has_value());
  CHECK(zk::exit_code_for(second.error().code) == 4);

  auto file = read_state(dir);
  REQUIRE(file.has_value());
  auto keys = prepare_keys(dir, origin, now, policy, file->get_or_add("example.com."));
  REQUIRE(keys.has_value());
  Night n;
  n.plan = keys->plan;
  n.exit_code = run_exit_code(keys->plan);
  REQUIRE(commit_run(dir, *file, keys->plan, now, published_run(n.exit_code)).has_value());
  return n;
}

}  // namespace

TEST_CASE("nightly runs on real key files: rollovers, lost KSK file, corrupt state",
          "[lifecycle]") {
  TempDir dir;
  zk::Name origin;
  REQUIRE(zk::name_from_text("example.com.", zk::NameView{}, origin).has_value());
  Policy policy;
  policy.zsk_lifetime = 45 * kDay;
  policy.max_zone_ttl = 86400;
  policy.sig_validity = 14 * kDay;
  policy.sig_refresh = 7 * kDay;
  REQUIRE(check_timing(policy).has_value());

  std::string ksk_source;
  {
    auto lock = StateLock::acquire(dir.path(), 0);
    REQUIRE(lock.has_value());
    KeyStateFile file;
    ZoneKeyState& z = file.get_or_add("example.com.");
    auto k = ksk_add_generated(z, policy, dir.path(), origin, 13, kStart);
    REQUIRE(k.has_value());
    ksk_source = k->source;
    REQUIRE(ksk_activate(z, k->tag, kStart).has_value());
    REQUIRE(ksk_ds_seen(z, policy, k->tag, kStart).has_value());
    REQUIRE(write_state(dir.path(), file).has_value());
  }

  std::map<uint16_t, int64_t> last_signed;
  std::vector<uint16_t> signers_seen;
  const std::string priv = ksk_source + ".private";
  const std::string hidden = dir.file("hidden.private");
  for (int day = 0; day < 130; ++day) {
    const int64_t now = kStart + day * kDay;
    INFO("day " << day);
    if (day == 40) std::filesystem::rename(priv, hidden);  // the owner's KSK file disappears
    if (day == 52) std::filesystem::rename(hidden, priv);  // and is restored
    if (day == 100) {
      // A corrupt state file stops the run loudly; the operator restores the backup.
      const std::string state = dir.file(kStateFileName);
      const std::string good = zk::test::read_text(state);
      zk::test::write_text(state, good.substr(0, good.size() / 2));
      auto bad = read_state(dir.path());
      REQUIRE_FALSE(bad.has_value());
      CHECK(zk::exit_code_for(bad.error().code) == 4);
      CHECK(bad.error().detail.find(state) != std::string::npos);
      CHECK(zk::test::read_text(state) == good.substr(0, good.size() / 2));
      zk::test::write_text(state, good);
    }
    const Night n = run_night(dir.path(), origin, policy, now);
    if (day >= 40 && day < 52) {
      CHECK(n.exit_code == 3);
      CHECK(n.plan.dnskey_signers.empty());
      CHECK(n.plan.new_zsk_algorithms.empty());
    } else {
      CHECK(n.exit_code == 0);
      CHECK(n.plan.dnskey_signers.size() == 1);
    }
    REQUIRE(n.plan.zone_signers.size() == 1);
    const uint16_t zsk = n.plan.zone_signers[0].tag;
    bool published = false;
    for (const auto& r : n.plan.publish) published |= r.tag == zsk;
    CHECK(published);
    if (signers_seen.empty() || signers_seen.back() != zsk) signers_seen.push_back(zsk);
    last_signed[zsk] = now;
    for (const auto& k : n.plan.state.keys) {
      if (k.role == KeyRole::ZSK && k.removed && last_signed.count(k.tag)) {
        CHECK(*k.removed >= last_signed[k.tag] + zsk_retire_interval(policy));
      }
    }
    CHECK(n.plan.state.ksk_count() <= kMaxKsks);
  }
  // Rollovers due on days 45 and 90; the first was delayed by the KSK outage (days 40-51).
  CHECK(signers_seen.size() == 3);
  auto file = read_state(dir.path());
  REQUIRE(file.has_value());
  const ZoneKeyState* z = file->find("example.com.");
  REQUIRE(z != nullptr);
  CHECK(z->state == ZoneState::Signing);
  CHECK(z->last_success == kStart + 129 * kDay);
  size_t removed = 0;
  for (const auto& k : z->keys) removed += k.removed.has_value();
  // ZSK 1: retired day 53 (after the outage), removed ~day 69; ZSK 2: retired day 98, removed
  // ~day 114; ZSK 3 signs.
  CHECK(removed == 2);
  CHECK(zk::path_exists(dir.file(kStateBackupName)));
}
