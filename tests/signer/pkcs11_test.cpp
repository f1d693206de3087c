// PKCS#11 keys with SoftHSM2: load by URI, sign an RRset in the token, verify with the public
// key; every owner mistake (PIN, token, object, key type) is KeyActionNeeded.
#include "signer/pkcs11.hpp"

#include <catch2/catch.hpp>
#include <chrono>

#include "signer/signer.hpp"
#include "tests/signer/signer_test_util.hpp"
#include "tests/signer/softhsm_fixture.hpp"

using namespace zk;
using namespace zk::signer;
using zk::test::SoftHsm;
using zk::test::softhsm_tokens;

namespace {

constexpr const char* kUri = "pkcs11:token=zk;object=ksk;id=%01";

Name name_of(const char* text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n));
  return n;
}

// The apex DNSKEY RRset of example.com. holding the given keys, in canonical order.
struct DnskeySet {
  Arena arena;
  Name origin = name_of("example.com.");
  std::vector<RR> rrs;
  explicit DnskeySet(const std::vector<const Key*>& keys) {
    const Owner* o = make_owner(arena, origin);
    for (const Key* k : keys) {
      const auto rd = k->dnskey_rdata();
      rrs.push_back(RR{o, arena.copy(rd.data(), rd.size()), 3600, rrtype::DNSKEY,
                       static_cast<uint16_t>(rd.size())});
    }
    std::sort(rrs.begin(), rrs.end(), rr_less);
  }
};

Errc load_error(std::string_view uri, const Pkcs11Config& c) {
  auto k = load_pkcs11_key(uri, c, 257);
  REQUIRE_FALSE(k);
  UNSCOPED_INFO(uri << ": " << k.error().detail);
  return k.error().code;
}

}  // namespace

TEST_CASE("PKCS#11 KSK signs the DNSKEY RRset inside the token", "[hsm]") {
  ZK_NEED_SOFTHSM();
  SoftHsm& hsm = softhsm_tokens();
  REQUIRE(hsm.available);  // the tools are there, so making the tokens must work
  const auto t0 = std::chrono::steady_clock::now();
  auto ksk = load_pkcs11_key(kUri, hsm.config(), 257);
  const auto t1 = std::chrono::steady_clock::now();
  INFO((ksk ? std::string() : ksk.error().detail));
  REQUIRE(ksk);
  CHECK(ksk->source() == kUri);
  CHECK(ksk->has_private());
  CHECK(ksk->is_ksk());
  CHECK(ksk->algorithm() == alg::ECDSAP256SHA256);
  CHECK(ksk->signature_size() == 64);

  auto zsk = generate_key(alg::ECDSAP256SHA256, false);
  REQUIRE(zsk);
  DnskeySet set({&*ksk, &*zsk});
  RrsigParams params;
  params.signer = set.origin;
  params.inception = 1'700'000'000;
  params.expiration = 1'700'000'000 + 14 * 86400;
  params.original_ttl = 3600;

  SignContext ctx;
  std::vector<uint8_t> rrsig(max_rrsig_rdata_len(*ksk));
  const auto t2 = std::chrono::steady_clock::now();
  auto n = ctx.sign(*ksk, params, set.rrs, rrsig.data());
  const auto t3 = std::chrono::steady_clock::now();
  INFO((n ? std::string() : n.error().detail));
  REQUIRE(n);
  rrsig.resize(*n);
  const double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const double sign_ms = std::chrono::duration<double, std::milli>(t3 - t2).count();
  WARN("SoftHSM P-256: load + self-test " << load_ms << " ms, DNSKEY RRSIG " << sign_ms << " ms");

  // Verified with a key built from the DNSKEY alone: what a validator has.
  auto pub = key_from_dnskey(ksk->dnskey_rdata());
  REQUIRE(pub);
  auto good = ctx.verify(*pub, set.rrs, rrsig);
  REQUIRE(good);
  CHECK(*good);
  SignContext other;  // and from a context that never saw the token key
  CHECK(*other.verify(*pub, set.rrs, rrsig));
  rrsig.back() ^= 1;
  CHECK_FALSE(*other.verify(*pub, set.rrs, rrsig));

  // The DS comes from the token's public key like any other key's.
  auto ds = ds_rdata(set.origin, ksk->dnskey_rdata(), digest::SHA256);
  REQUIRE(ds);
  CHECK(ds->size() == 4 + 32);
}

TEST_CASE("PKCS#11 owner mistakes need the owner's action", "[hsm]") {
  ZK_NEED_SOFTHSM();
  SoftHsm& hsm = softhsm_tokens();
  REQUIRE(hsm.available);  // the tools are there, so making the tokens must work
  // Token spare has not been logged in yet in this process (see softhsm_fixture.hpp).
  constexpr const char* kUri2 = "pkcs11:token=spare;object=ksk";
  CHECK(load_error(kUri2, hsm.config("9999")) == Errc::KeyActionNeeded);
  CHECK(load_error(kUri2, hsm.config("")) == Errc::KeyActionNeeded);
  CHECK(load_error("pkcs11:token=no-such-token;object=ksk", hsm.config()) == Errc::KeyActionNeeded);
  CHECK(load_error("pkcs11:token=zk;object=no-such-key", hsm.config()) == Errc::KeyActionNeeded);
  CHECK(load_error("pkcs11:token=zk;object=weak", hsm.config()) == Errc::KeyActionNeeded);
  CHECK(load_error("pkcs11:token=zk;object=public-only", hsm.config()) == Errc::KeyActionNeeded);
  // The self-test signature does not verify with the public object we would publish.
  CHECK(load_error("pkcs11:token=zk;object=mismatch", hsm.config()) == Errc::KeyActionNeeded);
  Pkcs11Config no_module = hsm.config();
  no_module.module = "/nonexistent/libpkcs11.so";
  CHECK(load_error(kUri, no_module) == Errc::KeyActionNeeded);
  // The right PIN still works after all that (nothing left logged in or locked).
  auto again = load_pkcs11_key(kUri2, hsm.config(), 257);
  INFO((again ? std::string() : again.error().detail));
  CHECK(again);

  // A PIN in the URI would be on the command line or on disk: refused before any token access.
  CHECK(load_error("pkcs11:token=zk;object=ksk;pin-value=1234", hsm.config()) == Errc::Usage);
  CHECK(load_error("pkcs11:token=zk;object=ksk?pin-source=/tmp/pin", hsm.config()) == Errc::Usage);
  CHECK(load_error("pkcs11:token=zk", hsm.config()) == Errc::Usage);
  CHECK(load_error("file:/tmp/key.pem", hsm.config()) == Errc::Usage);
}

TEST_CASE("PKCS#11 descriptors let load_key_dir find token keys", "[hsm]") {
  ZK_NEED_SOFTHSM();
  SoftHsm& hsm = softhsm_tokens();
  REQUIRE(hsm.available);  // the tools are there, so making the tokens must work
  const Name origin = name_of("example.com.");
  test::TempDir keys;
  uint16_t tag = 0;
  {
    auto ksk = load_pkcs11_key(kUri, hsm.config(), 257);
    INFO((ksk ? std::string() : ksk.error().detail));
    REQUIRE(ksk);
    tag = ksk->tag();
    auto path = write_pkcs11_descriptor(*ksk, origin, keys.path);
    REQUIRE(path);
    CHECK(path->find(".pkcs11") != std::string::npos);
    auto d = read_pkcs11_descriptor(*path, origin);
    REQUIRE(d);
    CHECK(d->uri == kUri);
  }
  auto zsk = generate_key(alg::ECDSAP256SHA256, false);
  REQUIRE(zsk);
  REQUIRE(write_key_files(*zsk, origin, keys.path, 1'700'000'000));

  std::vector<Error> problems;
  const Pkcs11Config config = hsm.config();
  auto loaded = load_key_dir(keys.path, origin, &problems, &config);
  REQUIRE(loaded);
  CHECK(problems.empty());
  REQUIRE(loaded->size() == 2);
  const Key* from_token = nullptr;
  for (const Key& k : *loaded)
    if (k.is_ksk()) from_token = &k;
  REQUIRE(from_token);
  CHECK(from_token->tag() == tag);
  CHECK(from_token->has_private());
  CHECK(from_token->source() == kUri);

  // A descriptor whose token key is gone is reported and skipped; the file key still loads.
  std::ofstream(keys.path + "/Kexample.com.+013+00001.pkcs11")
      << "URI: pkcs11:token=zk;object=gone\nDNSKEY: example.com. IN DNSKEY 257 3 13 "
      << "AAAA\n";
  problems.clear();
  loaded = load_key_dir(keys.path, origin, &problems, &config);
  REQUIRE(loaded);
  CHECK(loaded->size() == 2);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].code == Errc::KeyActionNeeded);
}

TEST_CASE("PIN file and environment", "[hsm]") {
  test::TempDir dir;
  const std::string pin = dir.path + "/pin";
  std::ofstream(pin) << "4321\n";
  ::chmod(pin.c_str(), 0600);
  auto c = make_pkcs11_config("", pin, "9999");
  REQUIRE(c);
  CHECK(c->pin == "4321");  // the file wins over the environment
  c = make_pkcs11_config("/x.so", "", "9999");
  REQUIRE(c);
  CHECK(c->pin == "9999");
  CHECK(c->module == "/x.so");
  ::chmod(pin.c_str(), 0644);
  auto open = make_pkcs11_config("", pin, nullptr);
  REQUIRE_FALSE(open);
  CHECK(open.error().code == Errc::KeyActionNeeded);
  CHECK(make_pkcs11_config("", dir.path + "/missing", nullptr).error().code ==
        Errc::KeyActionNeeded);
}
