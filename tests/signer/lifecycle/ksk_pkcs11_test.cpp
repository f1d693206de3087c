// A token KSK in zk-lifecycle's key state (ksk add --uri), the per-run KSK check on it, and a
// token ZSK signing from several threads at once.
#include "signer/lifecycle/ksk_pkcs11.hpp"

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "dns/rrtype.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/pkcs11.hpp"
#include "tests/signer/softhsm_fixture.hpp"

using namespace zk;
using namespace zk::signer;

namespace {

Name name_of(const char* text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n));
  return n;
}

// Sets ZONEKILN_PIN for one scope (what the per-run loader reads) and restores it.
struct PinEnv {
  std::string old;
  bool had = false;
  explicit PinEnv(const char* pin) {
    if (const char* o = std::getenv(kPinEnvVar)) {
      had = true;
      old = o;
    }
    ::setenv(kPinEnvVar, pin, 1);
  }
  ~PinEnv() {
    if (had)
      ::setenv(kPinEnvVar, old.c_str(), 1);
    else
      ::unsetenv(kPinEnvVar);
  }
};

}  // namespace

TEST_CASE("ksk add --uri records the token key and the run check loads it", "[hsm]") {
  ZK_NEED_SOFTHSM();
  auto& hsm = test::softhsm_tokens();
  REQUIRE(hsm.available);  // the tools are there, so making the tokens must work
  const Name origin = name_of("example.com.");
  signer_test::TempDir dir;
  ZoneKeyState zone;
  zone.origin = "example.com.";
  const Policy policy;
  const std::string uri = "pkcs11:token=zk;object=ksk2";
  auto rec = ksk_add_pkcs11(zone, policy, uri, origin, 0, hsm.config(), dir.path, 1'700'000'000);
  INFO((rec ? std::string() : rec.error().detail));
  REQUIRE(rec);
  CHECK(rec->source == uri);
  CHECK(rec->role == KeyRole::KSK);
  CHECK(rec->owner_state == OwnerState::Inactive);
  CHECK(std::filesystem::exists(dir.path + "/Kexample.com.+013+" +
                                std::string(5 - std::to_string(rec->tag).size(), '0') +
                                std::to_string(rec->tag) + ".pkcs11"));
  // A second add of the same key is refused by ksk_register and writes nothing new.
  CHECK(ksk_add_pkcs11(zone, policy, uri, origin, 0, hsm.config(), dir.path, 1'700'000'000)
            .error()
            .code == Errc::Usage);
  // A URI with no key behind it: the owner must act.
  CHECK(ksk_add_pkcs11(zone, policy, "pkcs11:token=zk;object=none", origin, 0, hsm.config(),
                       dir.path, 1'700'000'000)
            .error()
            .code == Errc::KeyActionNeeded);

  REQUIRE(ksk_activate(zone, rec->tag, 1'700'000'100));
  const Pkcs11Config token = hsm.config();
  CHECK(check_ksk(zone, policy, file_key_loader(origin, &token)).empty());
  // Library code reads no environment: without the caller's token configuration the token
  // key cannot be loaded, even with the PIN in ZONEKILN_PIN, and the check says so.
  {
    PinEnv pin("1234");
    const auto problems = check_ksk(zone, policy, file_key_loader(origin));
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].why, Catch::Matchers::Contains("--pin-file"));
  }
  // The state's key record no longer matching the token (key replaced) is a problem.
  zone.keys.back().dnskey = "AAAA";
  CHECK(check_ksk(zone, policy, file_key_loader(origin, &token)).size() == 1);
}

TEST_CASE("a token ZSK signs from several threads", "[hsm]") {
  ZK_NEED_SOFTHSM();
  auto& hsm = test::softhsm_tokens();
  REQUIRE(hsm.available);  // the tools are there, so making the tokens must work
  auto zsk = load_pkcs11_key("pkcs11:token=zk;object=ksk2", hsm.config(), 256);
  REQUIRE(zsk);
  CHECK_FALSE(zsk->is_ksk());
  auto pub = key_from_dnskey(zsk->dnskey_rdata());
  REQUIRE(pub);
  const Name origin = name_of("example.com.");
  Arena arena;
  const Owner* www = make_owner(arena, name_of("www.example.com."));
  std::vector<std::array<uint8_t, 4>> addrs(4);
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    addrs[t] = {192, 0, 2, static_cast<uint8_t>(t)};
    threads.emplace_back([&, t] {
      SignContext ctx;
      const RR rr[1] = {RR{www, addrs[t].data(), 3600, rrtype::A, 4}};
      RrsigParams params{origin, 1'700'000'000, 1'701'000'000, 3600};
      for (int i = 0; i < 50; ++i) {
        std::vector<uint8_t> sig(max_rrsig_rdata_len(*zsk));
        auto n = ctx.sign(*zsk, params, rr, sig.data());
        if (!n) {
          ++bad;
          continue;
        }
        sig.resize(*n);
        auto v = ctx.verify(*pub, rr, sig);
        (v && *v ? good : bad)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  CHECK(good == 200);
}
