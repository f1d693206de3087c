// prepare_keys / commit_run on real key files (signer::generate_key, load_key).
#include "signer/lifecycle/lifecycle.hpp"

#include <catch2/catch.hpp>

#include "signer/lifecycle/unsign.hpp"
#include "tests/signer/lifecycle/lifecycle_fixture.hpp"

using namespace zk::signer;
using zk::test::published_run;
using zk::test::TempDir;

namespace {

constexpr int64_t kNow = 1'790'000'000;

zk::Name origin_name(const char* text) {
  zk::Name n;
  REQUIRE(zk::name_from_text(text, zk::NameView{}, n).has_value());
  return n;
}

}  // namespace

TEST_CASE("a sign run's keys from real key files", "[lifecycle]") {
  TempDir dir;
  const zk::Name origin = origin_name("example.com.");
  Policy policy;
  KeyStateFile file;
  ZoneKeyState& zone = file.get_or_add("example.com.");

  auto ksk = ksk_add_generated(zone, policy, dir.path(), origin, 13, kNow);
  REQUIRE(ksk.has_value());
  CHECK(ksk->owner_state == OwnerState::Inactive);
  REQUIRE(ksk_activate(zone, ksk->tag, kNow).has_value());

  auto keys = prepare_keys(dir.path(), origin, kNow, policy, zone);
  REQUIRE(keys.has_value());
  CHECK(keys->problems.empty());
  CHECK(keys->plan.can_sign);
  CHECK(keys->dnskey_rdata.size() == 2);  // KSK + the ZSK created this run
  REQUIRE(keys->dnskey_signers.size() == 1);
  CHECK(keys->dnskey_signers[0].tag() == ksk->tag);
  REQUIRE(keys->zone_signers.size() == 1);
  CHECK_FALSE(keys->zone_signers[0].is_ksk());
  CHECK(keys->cds_dnskey_rdata.size() == 1);
  CHECK(run_exit_code(keys->plan) == 0);
  REQUIRE(commit_run(dir.path(), file, keys->plan, kNow, published_run(0)).has_value());

  auto back = read_state(dir.path());
  REQUIRE(back.has_value());
  const ZoneKeyState* z = back->find("example.com.");
  REQUIRE(z != nullptr);
  CHECK(z->last_success == kNow);
  CHECK(z->keys.size() == 2);

  // The same ZSK is used the next night (no new key).
  auto next = prepare_keys(dir.path(), origin, kNow + 86400, policy, *z);
  REQUIRE(next.has_value());
  CHECK(next->zone_signers[0].tag() == keys->zone_signers[0].tag());

  SECTION("the disable procedure's delete records are recorded when first published") {
    ZoneKeyState& zz = *back->find("example.com.");
    UnsignRequest req;
    req.now = kNow + 86400;
    REQUIRE(unsign_step(zz, req).step == UnsignStep::Started);
    auto p = prepare_keys(dir.path(), origin, kNow + 2 * 86400, policy, zz);
    REQUIRE(p.has_value());
    CHECK(p->plan.cds_delete);
    CHECK(p->cds_dnskey_rdata.empty());
    REQUIRE(commit_run(dir.path(), *back, p->plan, kNow + 2 * 86400, published_run(0)).has_value());
    auto again = read_state(dir.path());
    REQUIRE(again.has_value());
    CHECK(again->find("example.com.")->disable.cds_delete_published_at == kNow + 2 * 86400);
    CHECK(again->find("example.com.")->disable.started_at == kNow + 86400);
  }
  SECTION("a KSK file made group-readable needs the owner") {
    ::chmod((ksk->source + ".private").c_str(), 0644);
    auto p = prepare_keys(dir.path(), origin, kNow + 86400, policy, *z);
    REQUIRE(p.has_value());
    REQUIRE(p->problems.size() == 1);
    CHECK(p->plan.state.state == ZoneState::ActionNeeded);
    CHECK(run_exit_code(p->plan) == 3);
    CHECK(p->dnskey_signers.empty());
    CHECK(p->plan.can_sign);  // zone data still gets fresh signatures from the ZSK
    CHECK(p->zone_signers.size() == 1);
  }
  SECTION("a deleted KSK file needs the owner") {
    std::remove((ksk->source + ".private").c_str());
    auto p = prepare_keys(dir.path(), origin, kNow + 86400, policy, *z);
    REQUIRE(p.has_value());
    CHECK(p->plan.state.find_key(ksk->tag, 13)->owner_state == OwnerState::ActionNeeded);
    CHECK(run_exit_code(p->plan) == 3);
  }
  SECTION("a deleted active ZSK is an internal failure") {
    std::remove((keys->plan.zone_signers[0].source + ".private").c_str());
    auto p = prepare_keys(dir.path(), origin, kNow + 86400, policy, *z);
    REQUIRE(p.has_value());
    CHECK(run_exit_code(p->plan) == 4);
    CHECK_FALSE(p->plan.can_sign);
  }
}

TEST_CASE("ksk add --file records the owner's key without copying it", "[lifecycle]") {
  TempDir owner_dir, key_dir;
  const zk::Name origin = origin_name("example.org.");
  Policy policy;
  auto key = generate_key(13, true);
  REQUIRE(key.has_value());
  auto base = write_key_files(*key, origin, owner_dir.path(), kNow);
  REQUIRE(base.has_value());

  ZoneKeyState zone;
  zone.origin = "example.org.";
  auto rec = ksk_add_file(zone, policy, *base + ".key", origin, 0, kNow);
  REQUIRE(rec.has_value());
  CHECK(rec->tag == key->tag());
  CHECK(rec->source.find(owner_dir.path()) == 0);
  CHECK(check_ksk(zone, policy, file_key_loader(origin)).empty());

  auto zsk = generate_key(13, false);
  REQUIRE(zsk.has_value());
  auto zbase = write_key_files(*zsk, origin, owner_dir.path(), kNow);
  REQUIRE(zbase.has_value());
  CHECK(ksk_add_file(zone, policy, *zbase, origin, 0, kNow).error().code == zk::Errc::Usage);
  CHECK(ksk_add_file(zone, policy, owner_dir.file("nope"), origin, 0, kNow).error().code ==
        zk::Errc::KeyActionNeeded);
}

TEST_CASE("exit codes per error group", "[lifecycle]") {
  CHECK(zk::exit_code_for(zk::Errc::BadTtl) == 1);
  CHECK(zk::exit_code_for(zk::Errc::Usage) == 2);
  CHECK(zk::exit_code_for(zk::Errc::Io) == 2);
  CHECK(zk::exit_code_for(zk::Errc::KeyActionNeeded) == 3);
  CHECK(zk::exit_code_for(zk::Errc::Internal) == 4);
  CHECK(zk::exit_code_for(zk::Errc::Crypto) == 4);
}
