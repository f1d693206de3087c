// Key generation, key files (BIND and PEM), and the checks that need the key owner's action.
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <memory>

#include "dns/rdata.hpp"
#include "signer/signer.hpp"
#include "tests/signer/signer_test_util.hpp"
#include "tests/support/tools.hpp"

using namespace zk;
using namespace zk::signer;
using zk::signer_test::TempDir;

namespace {

Name name_of(const char* text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n));
  return n;
}

// A small realistic RRset: www.example.com. A x3.
struct SmallSet {
  Arena arena;
  std::vector<RR> rrs;
  SmallSet() {
    const Owner* o = make_owner(arena, name_of("www.Example.com."));
    for (uint8_t last : {1, 2, 3}) {
      const uint8_t a[4] = {192, 0, 2, last};
      rrs.push_back(RR{o, arena.copy(a, 4), 3600, rrtype::A, 4});
    }
  }
};

bool same_rdata(const Key& a, const Key& b) {
  return std::equal(a.dnskey_rdata().begin(), a.dnskey_rdata().end(), b.dnskey_rdata().begin(),
                    b.dnskey_rdata().end());
}

mode_t file_mode(const std::string& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("algorithm names and policy (RFC 8624)", "[signer]") {
  CHECK(*algorithm_from_text("ecdsap256sha256") == alg::ECDSAP256SHA256);
  CHECK(*algorithm_from_text("ED25519") == alg::ED25519);
  CHECK(*algorithm_from_text("8") == alg::RSASHA256);
  CHECK_FALSE(algorithm_from_text("FOO"));
  CHECK(algorithm_name(alg::RSASHA512) == "RSASHA512");
  CHECK(algorithm_name(200) == "200");
  for (uint8_t a : {8, 10, 13, 14, 15, 16}) {
    CHECK(algorithm_can_sign(a));
    CHECK(algorithm_can_verify(a));
  }
  for (uint8_t a : {1, 3, 5, 6, 7, 12}) CHECK_FALSE(algorithm_can_sign(a));
  CHECK(algorithm_can_verify(5));
  CHECK(algorithm_can_verify(7));
  for (uint8_t a : {1, 3, 5, 6, 7, 12}) {
    auto k = generate_key(a, false);
    REQUIRE_FALSE(k);
    CHECK(k.error().code == Errc::Usage);
    CHECK(k.error().detail.find("RFC 8624") != std::string::npos);
  }
  // 5 and 7 are NOT RECOMMENDED (not MUST NOT): on request they sign; the others never do.
  for (uint8_t a : {5, 7}) {
    CHECK(algorithm_deprecated(a));
    CHECK(algorithm_can_sign(a, /*allow_deprecated=*/true));
    CHECK(generate_key(a, false).error().detail.find("--allow-deprecated-algorithm") !=
          std::string::npos);
    auto k = generate_key(a, true, 0, /*allow_deprecated=*/true);
    REQUIRE(k);
    CHECK(k->algorithm() == a);
    CHECK(k->bits() == 2048);
  }
  for (uint8_t a : {1, 3, 6, 12}) {
    CHECK_FALSE(algorithm_deprecated(a));
    CHECK_FALSE(algorithm_can_sign(a, /*allow_deprecated=*/true));
    CHECK_FALSE(generate_key(a, false, 0, /*allow_deprecated=*/true));
  }
  CHECK_FALSE(generate_key(alg::RSASHA256, false, 1024));
  CHECK_FALSE(generate_key(alg::RSASHA256, false, 8192));
}

TEST_CASE("generate, write, read back, sign and verify: every algorithm", "[signer]") {
  const uint8_t a = GENERATE(as<uint8_t>{}, 8, 10, 13, 14, 15, 16);
  const bool ksk = GENERATE(false, true);
  TempDir tmp;
  const Name origin = name_of("example.com.");
  auto key = generate_key(a, ksk, a == 10 ? 3072 : 0);
  REQUIRE(key);
  CHECK(key->algorithm() == a);
  CHECK(key->flags() == (ksk ? 257 : 256));
  CHECK(key->has_private());
  CHECK(key->dnskey_rdata()[2] == 3);
  const unsigned want_bits[] = {2048, 3072, 256, 384, 256, 456};
  const uint8_t algs[] = {8, 10, 13, 14, 15, 16};
  for (size_t i = 0; i < 6; ++i) {
    if (algs[i] == a) CHECK(key->bits() == want_bits[i]);
  }

  auto base = write_key_files(*key, origin, tmp.path, 1700000000);
  REQUIRE(base);
  char expect[64];
  std::snprintf(expect, sizeof expect, "/Kexample.com.+%03u+%05u", unsigned{a},
                unsigned{key->tag()});
  CHECK(*base == tmp.path + expect);
  CHECK(file_mode(*base + ".private") == 0600);
  const std::string priv = signer_test::read_file(*base + ".private");
  CHECK(priv.rfind("Private-key-format: v1.3\n", 0) == 0);
  CHECK(priv.find("Created: 20231114221320") != std::string::npos);

  auto back = load_key(*base, origin);
  REQUIRE(back);
  CHECK(back->tag() == key->tag());
  CHECK(same_rdata(*back, *key));
  CHECK(back->timing.created == 1700000000);
  CHECK(back->timing.activate == 1700000000);
  CHECK_FALSE(back->timing.inactive);

  SmallSet set;
  SignContext ctx;
  const Name signer = name_of("EXAMPLE.com.");
  std::vector<uint8_t> out(max_rrsig_rdata_len(*back));
  auto n = ctx.sign(*back, {signer, 1700000000, 1702592000, 3600}, set.rrs, out.data());
  REQUIRE(n);
  out.resize(*n);
  CHECK(*n == 18 + 13 + back->signature_size());
  CHECK(out[3] == 3);  // labels of www.example.com.
  // Signer name is written lowercase (RFC 4034 s3.1.7 / RFC 6840 s5.1).
  CHECK(std::string(reinterpret_cast<const char*>(out.data()) + 19, 7) == "example");
  auto pub = key_from_dnskey(key->dnskey_rdata());
  REQUIRE(pub);
  auto ok = ctx.verify(*pub, set.rrs, out);
  REQUIRE(ok);
  CHECK(*ok);
  // A changed RR must break the signature.
  auto other = set.rrs;
  other.pop_back();
  auto nok = ctx.verify(*pub, other, out);
  REQUIRE(nok);
  CHECK_FALSE(*nok);
  // The key generated in memory signs identically to the one read back (same material).
  std::vector<uint8_t> out2(max_rrsig_rdata_len(*key));
  auto n2 = ctx.sign(*key, {signer, 1700000000, 1702592000, 3600}, set.rrs, out2.data());
  REQUIRE(n2);
  out2.resize(*n2);
  auto ok2 = ctx.verify(*back, set.rrs, out2);
  REQUIRE(ok2);
  CHECK(*ok2);
}

TEST_CASE("revoked keys: flag bit and new tag", "[signer]") {
  TempDir tmp;
  auto k = generate_key(alg::ECDSAP256SHA256, true);
  REQUIRE(k);
  std::vector<uint8_t> rd(k->dnskey_rdata().begin(), k->dnskey_rdata().end());
  rd[1] |= kFlagRevoke;
  auto r = key_from_dnskey(rd);
  REQUIRE(r);
  CHECK(r->is_revoked());
  CHECK(r->is_ksk());
  CHECK(r->tag() != k->tag());
}

TEST_CASE("key files: the owner must act on open modes, missing files and mismatches", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.com.");
  auto k1 = generate_key(alg::ECDSAP256SHA256, false);
  auto k2 = generate_key(alg::ECDSAP256SHA256, false);
  REQUIRE(k1);
  REQUIRE(k2);
  auto b1 = write_key_files(*k1, origin, tmp.path, 1700000000);
  auto b2 = write_key_files(*k2, origin, tmp.path, 1700000000);
  REQUIRE(b1);
  REQUIRE(b2);
  REQUIRE(load_key(*b1 + ".private", origin));
  REQUIRE(load_key(*b1 + ".key", origin));

  SECTION("group/other-readable private file") {
    ::chmod((*b1 + ".private").c_str(), 0644);
    auto r = load_key(*b1, origin);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::KeyActionNeeded);
    CHECK(r.error().detail.find("chmod 600") != std::string::npos);
    ::chmod((*b1 + ".private").c_str(), 0640);
    CHECK(load_key(*b1, origin).error().code == Errc::KeyActionNeeded);
    ::chmod((*b1 + ".private").c_str(), 0400);
    CHECK(load_key(*b1, origin));
  }
  SECTION("missing private or public half") {
    std::filesystem::remove(*b1 + ".private");
    auto r = load_key(*b1, origin);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::KeyActionNeeded);
    std::filesystem::remove(*b2 + ".key");
    CHECK(load_key(*b2, origin).error().code == Errc::KeyActionNeeded);
    CHECK(load_key(tmp.path + "/Knothere.+013+00001", origin).error().code ==
          Errc::KeyActionNeeded);
  }
  SECTION("public and private halves of different keys") {
    std::filesystem::copy_file(*b2 + ".key", *b1 + ".key",
                               std::filesystem::copy_options::overwrite_existing);
    auto r = load_key(*b1, origin);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::KeyActionNeeded);
    CHECK(r.error().detail.find("does not match") != std::string::npos);
  }
  SECTION("key of another zone") {
    auto r = load_key(*b1, name_of("example.org."));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::KeyActionNeeded);
  }
  SECTION("load_key_dir collects good keys and reports bad ones") {
    auto k3 = generate_key(alg::ED25519, true);
    REQUIRE(k3);
    auto b3 = write_key_files(*k3, origin, tmp.path, 1700000000);
    REQUIRE(b3);
    REQUIRE(write_key_files(*k1, name_of("example.org."), tmp.path, 1700000000));
    ::chmod((*b2 + ".private").c_str(), 0604);
    std::vector<Error> errors;
    auto keys = load_key_dir(tmp.path, origin, &errors);
    REQUIRE(keys);
    CHECK(keys->size() == 2);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].code == Errc::KeyActionNeeded);
    CHECK(errors[0].detail.find(*b2) != std::string::npos);
  }
}

TEST_CASE("private key material is not in error messages", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.com.");
  auto k = generate_key(alg::ED25519, false);
  REQUIRE(k);
  auto b = write_key_files(*k, origin, tmp.path, 1700000000);
  REQUIRE(b);
  std::string priv = signer_test::read_file(*b + ".private");
  const size_t at = priv.find("PrivateKey: ") + 12;
  const std::string secret = priv.substr(at, priv.find('\n', at) - at);
  priv.replace(at, 3, "!!!");  // corrupt the base64
  std::ofstream(*b + ".private", std::ios::trunc) << priv;
  auto r = load_key(*b, origin);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::KeyActionNeeded);
  CHECK(r.error().detail.find(secret.substr(3, 10)) == std::string::npos);
}

TEST_CASE("PEM private keys from openssl genpkey", "[signer]") {
  ZK_NEED_TOOLS("openssl");
  TempDir tmp;
  struct Case {
    const char* args;
    uint8_t alg;
  };
  const Case cases[] = {{"-algorithm EC -pkeyopt ec_paramgen_curve:P-256", alg::ECDSAP256SHA256},
                        {"-algorithm EC -pkeyopt ec_paramgen_curve:P-384", alg::ECDSAP384SHA384},
                        {"-algorithm ED25519", alg::ED25519},
                        {"-algorithm ED448", alg::ED448},
                        {"-algorithm RSA -pkeyopt rsa_keygen_bits:2048", alg::RSASHA256}};
  SmallSet set;
  SignContext ctx;
  const Name origin = name_of("example.com.");
  for (const Case& c : cases) {
    INFO(c.args);
    const std::string pem = tmp.path + "/k" + std::to_string(c.alg) + ".pem";
    const std::string cmd =
        std::string("openssl genpkey ") + c.args + " -out " + pem + " 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    ::chmod(pem.c_str(), 0600);
    auto key = load_key(pem, origin);  // algorithm from the key type, flags 257
    INFO((key ? "" : key.error().detail));
    REQUIRE(key);
    CHECK(key->algorithm() == c.alg);
    CHECK(key->is_ksk());
    CHECK(key->source() == pem);
    std::vector<uint8_t> out(max_rrsig_rdata_len(*key));
    auto n = ctx.sign(*key, {origin, 1, 2, 3600}, set.rrs, out.data());
    REQUIRE(n);
    out.resize(*n);
    CHECK(*ctx.verify(*key, set.rrs, out));
    if (c.alg == alg::RSASHA256) {
      auto k512 = load_key(pem, origin, alg::RSASHA512, 256);
      REQUIRE(k512);
      CHECK(k512->algorithm() == alg::RSASHA512);
      CHECK_FALSE(k512->is_ksk());
    } else {
      CHECK(load_key(pem, origin, alg::RSASHA256).error().code == Errc::KeyActionNeeded);
    }
    ::chmod(pem.c_str(), 0644);
    CHECK(load_key(pem, origin).error().code == Errc::KeyActionNeeded);
    // Named like a BIND file, still read as PEM.
    const std::string renamed = tmp.path + "/owner-ksk" + std::to_string(c.alg) + ".key";
    std::filesystem::rename(pem, renamed);
    ::chmod(renamed.c_str(), 0600);
    auto again = load_key(renamed, origin);
    REQUIRE(again);
    CHECK(again->tag() == key->tag());
  }
}

TEST_CASE("keys RFC 8624 forbids are refused at load but RSASHA1 keys load", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.com.");
  auto k = generate_key(alg::RSASHA256, false);
  REQUIRE(k);
  auto b = write_key_files(*k, origin, tmp.path, 1700000000);
  REQUIRE(b);
  // The same RSA material relabelled as RSASHA1 (5), as an old BIND key would be.
  std::string pub = signer_test::read_file(*b + ".key");
  std::string priv = signer_test::read_file(*b + ".private");
  pub.replace(pub.find(" 3 8 "), 5, " 3 5 ");
  priv.replace(priv.find("Algorithm: 8 (RSASHA256)"), 24, "Algorithm: 5 (RSASHA1)");
  const std::string old = tmp.path + "/Kexample.com.+005+00001";
  std::ofstream(old + ".key") << pub;
  std::ofstream(old + ".private") << priv;
  ::chmod((old + ".private").c_str(), 0600);
  auto r = load_key(old, origin);
  REQUIRE(r);
  CHECK(r->algorithm() == alg::RSASHA1);
  // Relabelled as RSAMD5 (1): MUST NOT sign (RFC 8624 s3.1).
  pub.replace(pub.find(" 3 5 "), 5, " 3 1 ");
  priv.replace(priv.find("Algorithm: 5 (RSASHA1)"), 22, "Algorithm: 1 (RSAMD5)");
  const std::string md5 = tmp.path + "/Kexample.com.+001+00001";
  std::ofstream(md5 + ".key") << pub;
  std::ofstream(md5 + ".private") << priv;
  ::chmod((md5 + ".private").c_str(), 0600);
  auto m = load_key(md5, origin);
  REQUIRE_FALSE(m);
  CHECK(m.error().code == Errc::KeyActionNeeded);
  CHECK(m.error().detail.find("RFC 8624") != std::string::npos);
  CHECK(m.error().detail.find("RSAMD5") != std::string::npos);
}

TEST_CASE("encrypted PEM keys fail without prompting", "[signer]") {
  ZK_NEED_TOOLS("openssl");
  TempDir tmp;
  const std::string pem = tmp.path + "/enc.pem";
  REQUIRE(std::system(("openssl genpkey -algorithm ED25519 -aes256 -pass pass:secret -out " + pem +
                       " 2>/dev/null")
                          .c_str()) == 0);
  ::chmod(pem.c_str(), 0600);
  auto r = load_key(pem, name_of("example.com."));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::KeyActionNeeded);
}

TEST_CASE("ECDSA r|s conversion holds for short and high-bit r and s", "[signer]") {
  // 400 signatures per curve: r or s with a leading zero octet (1 in 256) and with the high
  // bit set (1 in 2) both occur, in the DER -> r|s (P-384 signing) and r|s -> DER (verify) paths.
  for (uint8_t a : {alg::ECDSAP256SHA256, alg::ECDSAP384SHA384}) {
    auto key = generate_key(a, false);
    REQUIRE(key);
    SmallSet set;
    SignContext ctx;
    const Name origin = name_of("example.com.");
    std::vector<uint8_t> out(max_rrsig_rdata_len(*key));
    int ok = 0, short_values = 0;
    for (uint32_t i = 0; i < 400; ++i) {
      auto n = ctx.sign(*key, {origin, i, i + 1, 3600}, set.rrs, out.data());
      REQUIRE(n);
      const size_t fs = key->signature_size() / 2;
      const uint8_t* sig = out.data() + *n - 2 * fs;
      short_values += (sig[0] == 0) + (sig[fs] == 0);
      auto v = ctx.verify(*key, set.rrs, {out.data(), *n});
      ok += v && *v;
    }
    CHECK(ok == 400);
    INFO("values with a leading zero octet: " << short_values);
  }
}

// BIND writes the ECDSA scalar with BN_bn2bin, without leading zero octets, so about one key in
// 256 has a 31-octet P-256 PrivateKey field. Such files must load (found as an intermittent
// failure of the e2e tests, which make their keys with dnssec-keygen).
TEST_CASE("BIND ECDSA private keys with a short scalar load", "[signer]") {
  // d = 0x00 01 02 ... 1e: 31 octets once the leading zero is dropped.
  uint8_t d[32] = {0};
  for (int i = 1; i < 32; ++i) d[i] = static_cast<uint8_t>(i);
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(d, 32, nullptr), BN_free);
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> pub(EC_POINT_new(group.get()), EC_POINT_free);
  REQUIRE(EC_POINT_mul(group.get(), pub.get(), bn.get(), nullptr, nullptr, nullptr) == 1);
  uint8_t point[65];
  REQUIRE(EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point,
                             sizeof point, nullptr) == 65);
  auto b64 = [](const uint8_t* p, size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    out.resize(static_cast<size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n))));
    return out;
  };
  std::vector<uint8_t> rdata = {0x01, 0x01, 3, 13};
  rdata.insert(rdata.end(), point + 1, point + 65);
  const uint16_t tag = key_tag(rdata);
  TempDir dir;
  char base[64];
  std::snprintf(base, sizeof base, "/Kexample.com.+013+%05u", tag);
  const std::string path = dir.path + base;
  std::ofstream(path + ".key") << "example.com. IN DNSKEY 257 3 13 " << b64(point + 1, 64) << "\n";
  std::ofstream(path + ".private") << "Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\n"
                                   << "PrivateKey: " << b64(d + 1, 31) << "\n";
  ::chmod((path + ".private").c_str(), 0600);
  Name origin;
  REQUIRE(name_from_text("example.com.", {}, origin).has_value());
  auto key = load_key(path, origin);
  INFO((key ? std::string() : key.error().detail));
  REQUIRE(key.has_value());
  CHECK(key->tag() == tag);
  CHECK(key->has_private());
}
