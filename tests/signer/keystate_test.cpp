#include "signer/keystate.hpp"

#include <catch2/catch.hpp>

#include "dns/atomic_file.hpp"
#include "signer/policy.hpp"
#include "tests/signer/lifecycle_fixture.hpp"

using namespace zk::signer;
using zk::test::TempDir;

namespace {

KeyStateFile sample_state() {
  KeyStateFile st;
  ZoneKeyState& z = st.get_or_add("Example.COM");
  z.state = ZoneState::ActionNeeded;
  z.state_since = 1000;
  z.state_why = "KSK 1 missing";
  z.last_success = 900;
  KeyRecord ksk;
  ksk.algorithm = 13;
  ksk.tag = 12345;
  ksk.source = "/keys/Kexample.com.+013+12345";
  ksk.role = KeyRole::KSK;
  ksk.dnskey = "AQID";
  ksk.created = 10;
  ksk.published = 20;
  ksk.active = 20;
  ksk.owner_state = OwnerState::ActionNeeded;
  ksk.owner_state_since = 1000;
  ksk.owner_state_why = "file missing";
  ksk.ds_seen = true;
  ksk.ds_seen_at = 50;
  z.keys.push_back(ksk);
  KeyRecord zsk;
  zsk.algorithm = 13;
  zsk.tag = 2222;
  zsk.source = "/keys/Kexample.com.+013+02222";
  zsk.role = KeyRole::ZSK;
  zsk.created = 10;
  zsk.published = 10;
  zsk.active = 10;
  zsk.retired = 500;
  zsk.removed = 800;
  z.keys.push_back(zsk);
  z.disable.started_at = 700;
  z.disable.cds_delete_published_at = 750;
  z.disable.ds_ttl = 3600;
  return st;
}

}  // namespace

TEST_CASE("state file round-trips through JSON", "[lifecycle]") {
  const KeyStateFile st = sample_state();
  auto back = state_from_json(state_to_json(st), "mem");
  REQUIRE(back.has_value());
  CHECK(state_to_json(*back) == state_to_json(st));
  const ZoneKeyState* z = back->find("example.com.");
  REQUIRE(z != nullptr);
  CHECK(z->origin == "example.com.");
  CHECK(z->state == ZoneState::ActionNeeded);
  REQUIRE(z->keys.size() == 2);
  CHECK(z->keys[0].owner_state == OwnerState::ActionNeeded);
  CHECK(z->keys[0].ds_seen_at == 50);
  CHECK(z->keys[1].removed == 800);
  CHECK(!z->disable.parent_ds_removed_at);
  CHECK(z->disable.started_at == 700);
  CHECK(z->disable.cds_delete_published_at == 750);
}

TEST_CASE("state file written atomically with a backup of the previous version", "[lifecycle]") {
  TempDir dir;
  auto none = read_state(dir.path());
  REQUIRE(none.has_value());
  CHECK(none->zones.empty());

  KeyStateFile st = sample_state();
  REQUIRE(write_state(dir.path(), st).has_value());
  CHECK_FALSE(zk::path_exists(dir.file(kStateBackupName)));
  const std::string first = zk::test::read_text(dir.file(kStateFileName));

  st.zones[0].last_success = 1234;
  REQUIRE(write_state(dir.path(), st).has_value());
  CHECK(zk::test::read_text(dir.file(kStateBackupName)) == first);
  auto again = read_state(dir.path());
  REQUIRE(again.has_value());
  CHECK(again->zones[0].last_success == 1234);
}

TEST_CASE("a corrupt state file is a loud internal failure, never reset", "[lifecycle]") {
  TempDir dir;
  const std::string bad_rows[] = {
      "{\"version\": 1, \"zones\": [",                   // truncated
      "not json at all",                                 // garbage
      "{\"version\": 1, \"zones\": [{\"origin\": 3}]}",  // wrong types
      "{\"version\": 1, \"zones\": [{\"origin\": \"a.\", \"state\": \"BOGUS\", \"keys\": []}]}",
      "{\"version\": 7, \"zones\": []}",  // from the future
  };
  for (const auto& text : bad_rows) {
    INFO(text);
    zk::test::write_text(dir.file(kStateFileName), text);
    auto st = read_state(dir.path());
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().code == zk::Errc::Internal);
    CHECK(st.error().detail.find(dir.file(kStateFileName)) != std::string::npos);
    CHECK(zk::test::read_text(dir.file(kStateFileName)) == text);  // untouched
  }
}

TEST_CASE("a second concurrent run waits for the lock then fails clearly", "[lifecycle]") {
  TempDir dir;
  auto first = StateLock::acquire(dir.path(), 0);
  REQUIRE(first.has_value());
  // flock locks belong to the open file description, so a second acquire in this process
  // conflicts exactly like another process would. Wait 0 s: no sleeping in tests.
  auto second = StateLock::acquire(dir.path(), 0);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == zk::Errc::Internal);
  CHECK(second.error().detail.find(".zonekiln.lock") != std::string::npos);
  { StateLock moved = std::move(*first); }  // released here
  auto third = StateLock::acquire(dir.path(), 0);
  CHECK(third.has_value());
}

TEST_CASE("base64 round trip", "[lifecycle]") {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\x01\x02\xff"}) {
    const std::string b = base64_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    auto back = base64_decode(b);
    REQUIRE(back.has_value());
    CHECK(*back == s);
  }
  const uint8_t zero = 0;
  CHECK(base64_encode(&zero, 1) == "AA==");
  CHECK_FALSE(base64_decode("A*==").has_value());
}

TEST_CASE("the policy of the last plan is kept in the state", "[lifecycle]") {
  Policy p;
  p.zsk_lifetime = 30 * 86400;
  p.max_zone_ttl = 3600;
  p.allowed_algorithms = {13, 15};
  KeyStateFile st;
  ZoneKeyState& z = st.get_or_add("example.com.");
  z = plan_keys(1000, p, z, {}).state;
  auto back = state_from_json(state_to_json(st), "mem");
  REQUIRE(back.has_value());
  const Policy q = recorded_policy(*back->find("example.com."));
  CHECK(q.zsk_lifetime == 30 * 86400);
  CHECK(q.max_zone_ttl == 3600);
  CHECK(q.allowed_algorithms == std::vector<uint8_t>{13, 15});
  CHECK(recorded_policy(ZoneKeyState{}).zsk_lifetime == Policy{}.zsk_lifetime);
  CHECK_FALSE(policy_from_json("{\"zsk_lifetime\": \"x\"}").has_value());
}
