#include "signer/lifecycle/keystate.hpp"

#include <catch2/catch.hpp>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/signer.hpp"
#include "tests/signer/lifecycle/lifecycle_fixture.hpp"

using namespace zk::signer;
using zk::test::TempDir;

namespace {

// A DNSKEY of a freshly made key, so that the record's tag and algorithm agree with it (the
// reader checks that, RFC 4034 s2.1 and Appendix B).
std::pair<std::string, uint16_t> real_dnskey(bool ksk) {
  auto key = generate_key(alg::ED25519, ksk);
  REQUIRE(key.has_value());
  const auto rd = key->dnskey_rdata();
  return {zk::base64_encode(rd), key->tag()};
}

KeyStateFile sample_state() {
  KeyStateFile st;
  ZoneKeyState& z = st.get_or_add("Example.COM");
  z.state = ZoneState::ActionNeeded;
  z.state_since = 1000;
  z.state_why = "KSK 1 missing";
  z.last_success = 900;
  KeyRecord ksk;
  const auto [dnskey, tag] = real_dnskey(true);
  ksk.algorithm = alg::ED25519;
  ksk.tag = tag;
  ksk.source = "/keys/Kexample.com.+015+" + std::to_string(tag);
  ksk.role = KeyRole::KSK;
  ksk.dnskey = dnskey;
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
  z.last_serial = 4000000000u;
  RunRecord run;
  run.at = 1000;
  run.exit_code = 3;
  run.serial = 4000000000u;
  run.rrsets_signed = 7;
  run.rrsets_reused = 93;
  run.ttl_clamped = 1;
  run.summary = "KSK 1 missing";
  z.runs.push_back(run);
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
  CHECK(z->last_serial == 4000000000u);
  REQUIRE(z->runs.size() == 1);
  CHECK(z->runs[0].exit_code == 3);
  CHECK(z->runs[0].serial == 4000000000u);
  CHECK(z->runs[0].rrsets_reused == 93);
  CHECK(z->runs[0].summary == "KSK 1 missing");
}

TEST_CASE("the run history keeps the last runs and their serial", "[lifecycle]") {
  ZoneKeyState z;
  for (int i = 1; i <= int(kMaxRunHistory) + 5; ++i) {
    RunRecord r;
    r.at = i;
    r.serial = i % 3 == 0 ? std::optional<uint32_t>() : std::optional<uint32_t>(100 + i);
    r.summary = std::string(kMaxRunSummary + 10, 'x');
    z.add_run(r);
  }
  REQUIRE(z.runs.size() == kMaxRunHistory);
  CHECK(z.runs.front().at == 6);  // the oldest five were dropped
  CHECK(z.runs.back().at == int64_t(kMaxRunHistory) + 5);
  CHECK(z.runs.back().summary.size() == kMaxRunSummary);
  CHECK(z.last_serial == 100 + kMaxRunHistory + 4);  // a run that wrote nothing keeps it
}

TEST_CASE("run history fields are checked when the state is read", "[lifecycle]") {
  const std::string head = R"({"version": 1, "zones": [{"origin": "a.", "state": "SIGNING",
      "keys": [], )";
  const std::string good_run = R"({"at": 5, "exit_code": 0, "summary": "ok"})";
  auto ok = state_from_json(head + R"("last_serial": 7, "runs": [)" + good_run + "]}]}", "mem");
  REQUIRE(ok.has_value());
  CHECK(ok->zones[0].last_serial == 7);
  CHECK(ok->zones[0].runs.size() == 1);
  std::string many = "[";
  for (size_t i = 0; i <= kMaxRunHistory; ++i) many += (i ? "," : "") + good_run;
  const std::string bad_rows[] = {
      R"("last_serial": -1)",
      R"("last_serial": 4294967296)",
      R"("last_serial": "7")",
      R"("runs": {})",
      R"("runs": [{"at": 5, "exit_code": 5, "summary": "x"}])",
      R"("runs": [{"at": 5, "exit_code": -1, "summary": "x"}])",
      R"("runs": [{"at": 0, "exit_code": 0, "summary": "x"}])",
      R"("runs": [{"at": 5, "exit_code": 0}])",
      R"("runs": [{"at": 5, "exit_code": 0, "summary": 3}])",
      R"("runs": [{"at": 5, "exit_code": 0, "summary": "x", "serial": 4294967296}])",
      R"("runs": [{"at": 5, "exit_code": 0, "summary": "x", "rrsets_signed": -2}])",
      R"("runs": [7])",
      "\"runs\": " + many + "]",
  };
  for (const auto& row : bad_rows) {
    INFO(row);
    auto st = state_from_json(head + row + "}]}", "mem");
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().code == zk::Errc::Internal);
  }
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

// Issue 11: values that parse but are out of range are refused with the field's name; nothing
// is reduced (a tag of 70000 used to come back as 4464 and name another key).
TEST_CASE("every field of the state is checked on read", "[lifecycle]") {
  const KeyStateFile sample = sample_state();  // one key: sample_state() makes a new one
  const std::string good = state_to_json(sample);
  REQUIRE(state_from_json(good, "mem").has_value());
  auto patched = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    return s;
  };
  const std::string tag = std::to_string(sample.zones[0].keys[0].tag);
  struct Row {
    std::string text, field;
  };
  const Row rows[] = {
      {patched("\"tag\": " + tag, "\"tag\": 70000"), "zones[0].keys[0].tag"},
      {patched("\"tag\": " + tag, "\"tag\": -1"), "zones[0].keys[0].tag"},
      {patched("\"tag\": 2222", "\"tag\": 2223"), ""},  // a ZSK without DNSKEY: any tag is fine
      {patched("\"created\": 10", "\"created\": -5"), "zones[0].keys[0].timeline.created"},
      {patched("\"last_success\": 900", "\"last_success\": 99999999999"), "zones[0].last_success"},
      {patched("\"state_since\": 1000", "\"state_since\": \"soon\""), "zones[0].state_since"},
      {patched("\"algorithm\": 15", "\"algorithm\": 99"), "zones[0].keys[0].algorithm"},
      {patched("\"role\": \"KSK\"", "\"role\": \"KSKK\""), "zones[0].keys[0].role"},
      {patched("\"owner_state\": \"ACTION_NEEDED\"", "\"owner_state\": \"ASLEEP\""),
       "zones[0].keys[0].owner_state"},
      {patched("\"ds_ttl\": 3600", "\"ds_ttl\": 4294967296"), "zones[0].disable.ds_ttl"},
      {patched("\"origin\": \"example.com.\"", "\"origin\": \"Example.com\""), "zones[0].origin"},
      {patched("\"ds_seen\": true", "\"ds_seen\": 1"), "zones[0].keys[0].ds_seen"},
  };
  for (const Row& r : rows) {
    INFO(r.field);
    auto st = state_from_json(r.text, "mem");
    if (r.field.empty()) {
      CHECK(st.has_value());
      continue;
    }
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().code == zk::Errc::Internal);
    CHECK(st.error().detail.find(r.field) != std::string::npos);
  }
  // The recorded DNSKEY must be the key the record names.
  KeyStateFile other = sample;
  other.zones[0].keys[0].tag ^= 1;
  auto mismatch = state_from_json(state_to_json(other), "mem");
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().detail.find("zones[0].keys[0].dnskey") != std::string::npos);
}

TEST_CASE("a deleted state with its backup beside it is refused, not adopted afresh",
          "[lifecycle]") {
  TempDir dir;
  KeyStateFile st = sample_state();
  REQUIRE(write_state(dir.path(), st));
  REQUIRE(write_state(dir.path(), st));  // now a .bak exists
  REQUIRE(::unlink(dir.file(kStateFileName).c_str()) == 0);
  auto read = read_state(dir.path());
  REQUIRE_FALSE(read.has_value());
  CHECK(read.error().code == zk::Errc::Internal);
  CHECK(read.error().detail.find("cp -p " + dir.file(kStateBackupName) + " " +
                                 dir.file(kStateFileName)) != std::string::npos);
  CHECK_FALSE(zk::path_exists(dir.file(kStateFileName)));
}

TEST_CASE("a missing key directory is a usage error naming it", "[lifecycle]") {
  TempDir dir;
  const std::string missing = dir.file("no-such-keys");
  for (auto err : {read_state(missing).error(), StateLock::acquire(missing, 0).error()}) {
    CHECK(err.code == zk::Errc::Usage);
    CHECK(err.detail.find("no key directory " + missing) != std::string::npos);
    CHECK(err.detail.find("zonekiln keygen") != std::string::npos);
  }
}

// Issue 11: key paths are stored relative to the key directory, so any working directory works.
TEST_CASE("key paths are stored relative to the key directory and migrated from version 1",
          "[lifecycle]") {
  TempDir dir;
  KeyStateFile st = sample_state();
  const std::string inside = dir.file("Kexample.com.+015+00001");
  zk::test::write_text(inside + ".private", "x");
  st.zones[0].keys[0].source = inside;
  REQUIRE(write_state(dir.path(), st));
  const std::string text = zk::test::read_text(dir.file(kStateFileName));
  CHECK(text.find("\"source\": \"Kexample.com.+015+00001\"") != std::string::npos);
  CHECK(text.find("\"version\": 2") != std::string::npos);
  auto back = read_state(dir.path());
  REQUIRE(back.has_value());
  CHECK(back->zones[0].keys[0].source == inside);
  CHECK(back->zones[0].keys[1].source == "/keys/Kexample.com.+013+02222");  // absolute stays

  // Version 1: paths relative to the working directory of the run that adopted the keys.
  std::string v1 = text;
  v1.replace(v1.find("\"version\": 2"), 12, "\"version\": 1");
  v1.replace(v1.find("\"source\": \"Kexample.com.+015+00001\""), 35,
             "\"source\": \"some/old/cwd/keys/Kexample.com.+015+00001\"");
  zk::test::write_text(dir.file(kStateFileName), v1);
  auto migrated = read_state(dir.path());
  REQUIRE(migrated.has_value());
  CHECK(migrated->version == kStateVersion);
  CHECK(migrated->zones[0].keys[0].source == inside);  // found by name in the key directory
}

// Issue 11: the state a published zone needs is durable before the zone is renamed; a run that
// stopped in between is settled by the next read by the inode of the output.
TEST_CASE("a pending commit is settled by whether the zone was published", "[lifecycle]") {
  TempDir dir;
  KeyStateFile st = sample_state();
  REQUIRE(write_state(dir.path(), st));
  KeyPlan plan;
  plan.can_sign = true;
  plan.state = st.zones[0];
  plan.state.state = ZoneState::Signing;
  KeyRecord fresh;
  fresh.algorithm = alg::ED25519;
  fresh.tag = 4242;
  fresh.source = dir.file("Kexample.com.+015+04242");
  fresh.role = KeyRole::ZSK;
  fresh.created = fresh.published = 2000;
  plan.state.keys.push_back(fresh);

  const std::string out = dir.file("zone.signed");
  zk::test::write_text(out, "old zone\n");
  zk::test::write_text(dir.file("tmp"), "new zone\n");
  struct stat tmp {};
  REQUIRE(::stat(dir.file("tmp").c_str(), &tmp) == 0);
  const PublishTarget target{out, static_cast<uint64_t>(tmp.st_dev),
                             static_cast<uint64_t>(tmp.st_ino), 9};

  SECTION("stopped before the rename: back to the state before, the new ZSK created-only") {
    KeyStateFile file = st;
    REQUIRE(commit_prepare(dir.path(), file, plan, 2000, target, RunRecord{}));
    auto back = read_state(dir.path());
    REQUIRE(back.has_value());
    REQUIRE(back->recovery_notes.size() == 1);
    const ZoneKeyState& z = back->zones[0];
    CHECK_FALSE(z.pending.has_value());
    CHECK(z.state == ZoneState::InternalFailure);
    CHECK(z.last_success == 900);
    const KeyRecord* k = z.find_key(4242, alg::ED25519);
    REQUIRE(k != nullptr);
    CHECK_FALSE(k->published.has_value());
  }
  SECTION("stopped after the rename: the run's state stands") {
    KeyStateFile file = st;
    REQUIRE(commit_prepare(dir.path(), file, plan, 2000, target, RunRecord{}));
    REQUIRE(::rename(dir.file("tmp").c_str(), out.c_str()) == 0);
    auto back = read_state(dir.path());
    REQUIRE(back.has_value());
    REQUIRE(back->recovery_notes.size() == 1);
    const ZoneKeyState& z = back->zones[0];
    CHECK(z.state == ZoneState::Signing);
    CHECK(z.last_success == 2000);
    REQUIRE(z.find_key(4242, alg::ED25519) != nullptr);
    CHECK(z.find_key(4242, alg::ED25519)->published == 2000);
  }
  SECTION("finished: no mark left, the .bak is the state before the run") {
    KeyStateFile file = st;
    REQUIRE(commit_prepare(dir.path(), file, plan, 2000, target, RunRecord{}));
    REQUIRE(::rename(dir.file("tmp").c_str(), out.c_str()) == 0);
    REQUIRE(commit_finish(dir.path(), file, "example.com."));
    CHECK(zk::test::read_text(dir.file(kStateFileName)).find("pending") == std::string::npos);
    CHECK(zk::test::read_text(dir.file(kStateBackupName)).find("4242") == std::string::npos);
    auto back = read_state(dir.path());
    REQUIRE(back.has_value());
    CHECK(back->recovery_notes.empty());
  }
}

TEST_CASE("a clock earlier than the recorded events keeps the timeline", "[lifecycle]") {
  KeyStateFile st = sample_state();
  const ZoneKeyState& z = st.zones[0];
  CHECK(latest_recorded_time(z) == 1000);
  std::string warning;
  CHECK(timeline_now(z, 5000, &warning) == 5000);
  CHECK(warning.empty());
  CHECK(timeline_now(z, 400, &warning) == 1000);
  CHECK(warning.find("earlier than the last event") != std::string::npos);
}
