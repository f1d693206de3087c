#include <catch2/catch.hpp>

#include "dns/base64.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "tests/signer/lifecycle/lifecycle_fixture.hpp"

using namespace zk::signer;
using zk::test::TempDir;

namespace {

// Stands in for signer::load_key: "loads" the DNSKEY written in the .private file's first line.
zk::Result<LoadedKey> fake_loader(const KeyRecord& k) {
  const std::string text = zk::test::read_text(private_key_path(k.source));
  if (text.empty()) return zk::fail(zk::Errc::KeyActionNeeded, "cannot read " + k.source);
  LoadedKey out;
  out.dnskey_rdata.assign(text.begin(), text.end());
  out.has_private = true;
  return out;
}

std::string b64(const std::string& s) {
  return zk::base64_encode({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

}  // namespace

TEST_CASE("check_ksk finds what needs the owner's action", "[lifecycle]") {
  TempDir dir;
  Policy policy;
  ZoneKeyState zone;
  zone.origin = "example.com.";
  const std::string base = dir.file("Kexample.com.+013+00100");
  zk::test::write_text(base + ".private", "key-100", 0600);
  REQUIRE(ksk_register(zone, policy, 100, 13, base, b64("key-100"), 0).has_value());
  REQUIRE(ksk_activate(zone, 100, 0).has_value());
  const std::string pem = dir.file("ksk2.pem");
  zk::test::write_text(pem, "key-200", 0400);
  REQUIRE(ksk_register(zone, policy, 200, 13, pem, b64("key-200"), 0, RollMethod::DoubleRrset)
              .has_value());
  REQUIRE(ksk_activate(zone, 200, 0).has_value());

  CHECK(check_ksk(zone, policy, fake_loader).empty());

  SECTION("private key readable by group") {
    ::chmod((base + ".private").c_str(), 0640);
    auto p = check_ksk(zone, policy, fake_loader);
    REQUIRE(p.size() == 1);
    CHECK(p[0].tag == 100);
    CHECK(p[0].why.find("chmod 600") != std::string::npos);
  }
  SECTION("file missing") {
    std::remove(pem.c_str());
    auto p = check_ksk(zone, policy, fake_loader);
    REQUIRE(p.size() == 1);
    CHECK(p[0].tag == 200);
    CHECK(p[0].why.find("missing") != std::string::npos);
  }
  SECTION("file replaced by another key") {
    zk::test::write_text(base + ".private", "other", 0600);
    auto p = check_ksk(zone, policy, fake_loader);
    REQUIRE(p.size() == 1);
    CHECK(p[0].why.find("no longer holds") != std::string::npos);
  }
  SECTION("algorithm no longer allowed") {
    policy.allowed_algorithms = {15};
    CHECK(check_ksk(zone, policy, fake_loader).size() == 2);
  }
  SECTION("loader failure") {
    auto p = check_ksk(zone, policy, [](const KeyRecord&) -> zk::Result<LoadedKey> {
      return zk::fail(zk::Errc::KeyActionNeeded, "public and private parts differ");
    });
    REQUIRE(p.size() == 2);
    CHECK(p[0].why.find("public and private parts differ") != std::string::npos);
  }
  SECTION("inactive KSKs are not checked") {
    ZoneKeyState z2 = zone;
    std::vector<DsRecord> none;
    REQUIRE(ksk_deactivate(z2, policy, 200, 0, &none).has_value());
    std::remove(pem.c_str());
    CHECK(check_ksk(z2, policy, fake_loader).empty());
  }
}

TEST_CASE("private key path of each key source", "[lifecycle]") {
  CHECK(private_key_path("/k/Kexample.com.+013+12345") == "/k/Kexample.com.+013+12345.private");
  CHECK(private_key_path("/k/Kexample.com.+013+12345.key") == "/k/Kexample.com.+013+12345.private");
  CHECK(private_key_path("/k/ksk.pem") == "/k/ksk.pem");
  CHECK(private_key_path("pkcs11:token=zk;object=ksk").empty());
  TempDir dir;
  zk::test::write_text(dir.file("owner-ksk.key"), "-----BEGIN PRIVATE KEY-----\n");
  CHECK(private_key_path(dir.file("owner-ksk.key")) == dir.file("owner-ksk.key"));  // PEM
}
