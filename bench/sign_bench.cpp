// Signing throughput on one thread: zonekiln's SignContext per algorithm, plus the raw OpenSSL 3
// API paths it was chosen from (compare with bench/openssl_speed.sh on the same machine).
//
//   build/bench/sign_bench --benchmark_min_time=2
//
// The API-path rows use keys of the same kind made through OpenSSL's public API.
#include <benchmark/benchmark.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "dns/name.hpp"
#include "dns/zone.hpp"
#include "signer/signer.hpp"

namespace {

using namespace zk;
using namespace zk::signer;

// A realistic small RRset: www.example.com. 3600 IN A, three addresses (~100 octets to sign).
struct Input {
  Arena arena;
  Name origin;
  std::vector<RR> rrset;
  std::vector<uint8_t> tbs;  // the same signing input as bytes, for the raw API rows

  Input() {
    (void)name_from_text("example.com.", NameView{}, origin);
    Name owner;
    (void)name_from_text("www.example.com.", NameView{}, owner);
    const Owner* o = make_owner(arena, owner);
    for (uint8_t i = 1; i <= 3; ++i) {
      const uint8_t a[4] = {192, 0, 2, i};
      rrset.push_back(RR{o, arena.copy(a, 4), 3600, rrtype::A, 4});
    }
    tbs.assign(18 + origin.size() + 3 * (owner.size() + 14), 0x5a);
  }
};

Input& input() {
  static Input in;  // built once, outside every timed loop; only read afterwards
  return in;
}

// One key per algorithm, made once before any timed loop (a function-local static, so the
// multi-threaded rows can share them safely).
const Key& key_for(uint8_t algorithm) {
  static const std::vector<std::pair<uint8_t, Key>> keys = [] {
    std::vector<std::pair<uint8_t, Key>> v;
    for (uint8_t a : {alg::RSASHA256, alg::RSASHA512, alg::ECDSAP256SHA256, alg::ECDSAP384SHA384,
                      alg::ED25519, alg::ED448}) {
      auto k = generate_key(a, false, 2048);
      if (!k) std::abort();
      v.emplace_back(a, std::move(*k));
    }
    return v;
  }();
  for (const auto& [a, k] : keys) {
    if (a == algorithm) return k;
  }
  std::abort();
}

void BM_SignContext(benchmark::State& state) {
  const Key& key = key_for(static_cast<uint8_t>(state.range(0)));
  Input& in = input();
  SignContext ctx;
  std::vector<uint8_t> out(max_rrsig_rdata_len(key));
  const RrsigParams p{in.origin, 1700000000, 1702592000, 3600};
  for (auto _ : state) {
    auto n = ctx.sign(key, p, in.rrset, out.data());
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(algorithm_name(key.algorithm()));
}
BENCHMARK(BM_SignContext)
    ->ArgName("alg")
    ->Arg(alg::RSASHA256)
    ->Arg(alg::RSASHA512)
    ->Arg(alg::ECDSAP256SHA256)
    ->Arg(alg::ECDSAP384SHA384)
    ->Arg(alg::ED25519)
    ->Arg(alg::ED448);

// Keys shared read-only by 1 and 2 threads, one SignContext each: signatures/s should double
// on 2 free cores (items_per_second is summed over threads; use real time to see it).
BENCHMARK(BM_SignContext)
    ->Name("BM_SignContextThreads")
    ->ArgName("alg")
    ->Arg(alg::ECDSAP256SHA256)
    ->Arg(alg::ED25519)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

void BM_Verify(benchmark::State& state) {
  const Key& key = key_for(static_cast<uint8_t>(state.range(0)));
  Input& in = input();
  SignContext ctx;
  std::vector<uint8_t> sig(max_rrsig_rdata_len(key));
  auto n = ctx.sign(key, {in.origin, 1700000000, 1702592000, 3600}, in.rrset, sig.data());
  if (!n) std::abort();
  sig.resize(*n);
  for (auto _ : state) {
    auto ok = ctx.verify(key, in.rrset, sig);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(algorithm_name(key.algorithm()));
}
BENCHMARK(BM_Verify)
    ->ArgName("alg")
    ->Arg(alg::RSASHA256)
    ->Arg(alg::ECDSAP256SHA256)
    ->Arg(alg::ED25519);

// --- the raw OpenSSL 3 API paths for ECDSA P-256 ------------------------------------------------
// Baselines with keys of the same kind made here through OpenSSL's public API (the bench does not
// reach into zonekiln's Key internals).

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct MdFree {
  void operator()(EVP_MD* p) const noexcept { EVP_MD_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct EcKeyFree {
  void operator()(EC_KEY* p) const noexcept { EC_KEY_free(p); }
};
#pragma GCC diagnostic pop
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

struct RawKey {
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey;
  std::unique_ptr<EVP_MD, MdFree> md;     // SHA-256 (null for Ed25519)
  std::unique_ptr<EC_KEY, EcKeyFree> ec;  // P-256 only
};

const RawKey& raw_p256() {
  static const RawKey k = [] {
    RawKey r;
    r.pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    r.md.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    if (r.pkey) r.ec.reset(EVP_PKEY_get1_EC_KEY(r.pkey.get()));
#pragma GCC diagnostic pop
    if (!r.pkey || !r.md || !r.ec) std::abort();
    return r;
  }();
  return k;
}

const RawKey& raw_ed25519() {
  static const RawKey k = [] {
    RawKey r;
    r.pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!r.pkey) std::abort();
    return r;
  }();
  return k;
}

// (a) EVP_DigestSign with the context re-initialised for every signature.
void BM_P256_DigestSignReinit(benchmark::State& state) {
  const RawKey& k = raw_p256();
  Input& in = input();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  uint8_t der[80];
  for (auto _ : state) {
    size_t len = sizeof der;
    EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, k.pkey.get(), nullptr);
    EVP_DigestSign(ctx.get(), der, &len, in.tbs.data(), in.tbs.size());
    benchmark::DoNotOptimize(der);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_P256_DigestSignReinit);

// (b) a separate digest, then EVP_PKEY_sign on a context initialised once (output is DER).
void BM_P256_PkeySignReused(benchmark::State& state) {
  const RawKey& k = raw_p256();
  Input& in = input();
  MdCtxPtr md(EVP_MD_CTX_new());
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k.pkey.get(), nullptr));
  EVP_PKEY_sign_init(ctx.get());
  EVP_PKEY_CTX_set_signature_md(ctx.get(), k.md.get());
  uint8_t dg[EVP_MAX_MD_SIZE], der[80];
  for (auto _ : state) {
    unsigned dlen = 0;
    EVP_DigestInit_ex2(md.get(), k.md.get(), nullptr);
    EVP_DigestUpdate(md.get(), in.tbs.data(), in.tbs.size());
    EVP_DigestFinal_ex(md.get(), dg, &dlen);
    size_t len = sizeof der;
    EVP_PKEY_sign(ctx.get(), der, &len, dg, dlen);
    benchmark::DoNotOptimize(der);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_P256_PkeySignReused);

// (c) a separate digest, then the deprecated ECDSA_do_sign on the EC_KEY taken once at load
// (what SignContext uses for ECDSA).
void BM_P256_EcdsaDoSign(benchmark::State& state) {
  const RawKey& k = raw_p256();
  Input& in = input();
  MdCtxPtr md(EVP_MD_CTX_new());
  uint8_t dg[EVP_MAX_MD_SIZE];
  for (auto _ : state) {
    unsigned dlen = 0;
    EVP_DigestInit_ex2(md.get(), k.md.get(), nullptr);
    EVP_DigestUpdate(md.get(), in.tbs.data(), in.tbs.size());
    EVP_DigestFinal_ex(md.get(), dg, &dlen);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EcdsaSigPtr sig(ECDSA_do_sign(dg, static_cast<int>(dlen), k.ec.get()));
#pragma GCC diagnostic pop
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_P256_EcdsaDoSign);

// --- the raw OpenSSL 3 API paths for Ed25519 ---------------------------------------------------

void BM_Ed25519_DigestSignReinit(benchmark::State& state) {
  const RawKey& k = raw_ed25519();
  Input& in = input();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  uint8_t sig[64];
  for (auto _ : state) {
    size_t len = sizeof sig;
    EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, k.pkey.get(), nullptr);
    EVP_DigestSign(ctx.get(), sig, &len, in.tbs.data(), in.tbs.size());
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519_DigestSignReinit);

void BM_Ed25519_DigestSignReused(benchmark::State& state) {
  const RawKey& k = raw_ed25519();
  Input& in = input();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, k.pkey.get(), nullptr);
  uint8_t sig[64];
  for (auto _ : state) {
    size_t len = sizeof sig;
    EVP_DigestSign(ctx.get(), sig, &len, in.tbs.data(), in.tbs.size());
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519_DigestSignReused);

// The digest alone, as SignContext does it per ECDSA/RSA signature (reused EVP_MD_CTX).
void BM_Sha256_Reinit(benchmark::State& state) {
  const RawKey& k = raw_p256();
  Input& in = input();
  MdCtxPtr md(EVP_MD_CTX_new());
  uint8_t dg[EVP_MAX_MD_SIZE];
  for (auto _ : state) {
    unsigned dlen = 0;
    EVP_DigestInit_ex2(md.get(), k.md.get(), nullptr);
    EVP_DigestUpdate(md.get(), in.tbs.data(), in.tbs.size());
    EVP_DigestFinal_ex(md.get(), dg, &dlen);
    benchmark::DoNotOptimize(dg);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256_Reinit);

}  // namespace

BENCHMARK_MAIN();
