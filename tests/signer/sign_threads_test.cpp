// Keys are shared read-only by all threads; each thread has its own SignContext.
#include <catch2/catch.hpp>
#include <thread>

#include "signer/signer.hpp"
#include "tests/signer/signer_test_util.hpp"

using namespace zk;
using namespace zk::signer;

TEST_CASE("many threads sign with the same keys", "[signer]") {
  std::vector<Key> keys;
  for (uint8_t a : {alg::ECDSAP256SHA256, alg::ED25519, alg::RSASHA256, alg::ECDSAP384SHA384}) {
    auto k = generate_key(a, false);
    REQUIRE(k);
    keys.push_back(*k);
  }
  Name origin, owner;
  REQUIRE(name_from_text("example.com.", NameView{}, origin));
  REQUIRE(name_from_text("mail.example.com.", NameView{}, owner));
  Arena arena;
  const Owner* o = make_owner(arena, owner);
  std::vector<RR> set;
  for (uint8_t i = 0; i < 4; ++i) {
    const uint8_t a[4] = {198, 51, 100, i};
    set.push_back(RR{o, arena.copy(a, 4), 600, rrtype::A, 4});
  }

  constexpr int kThreads = 4, kPerKey = 40;
  std::vector<int> good(kThreads, 0), bad(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SignContext ctx;  // this thread's only
      std::vector<uint8_t> out(1024);
      for (int i = 0; i < kPerKey; ++i) {
        for (const Key& k : keys) {
          if (k.algorithm() == alg::RSASHA256 && i % 8) continue;  // RSA is slow
          auto n = ctx.sign(k, {origin, 1, static_cast<uint32_t>(i), 600}, set, out.data());
          if (!n) {
            ++bad[t];
            continue;
          }
          auto ok = ctx.verify(k, set, {out.data(), *n});
          (ok && *ok ? good : bad)[t]++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(bad[t] == 0);
    CHECK(good[t] == kPerKey * 3 + kPerKey / 8);
  }
}
