// End to end: an explicit signature window (--inception/--expiration) is used exactly, so that
// deterministic signatures can be compared with other tools' byte for byte (RFC 8080's examples),
// and a window the signing time is not in is refused with a message that says how to fix it.
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_support.hpp"
#include "tests/signer/signer_test_util.hpp"

using namespace zk::test;

namespace {

const std::string kVectors = std::string(ZK_TESTDATA_DIR) + "/rfc-vectors/rfc8080/";
constexpr uint32_t kInception = 1438207200;   // 2015-07-29T22:00:00Z
constexpr uint32_t kExpiration = 1440021600;  // 2015-08-19T22:00:00Z

// A key directory holding one of the RFC's key pairs (the private part 0600, as key files are).
std::string key_dir(const TempDir& dir, const std::string& key) {
  const std::string keys = dir.file("keys");
  std::filesystem::create_directories(keys);
  for (const char* ext : {".key", ".private"}) {
    const std::string to = keys + "/" + key + ext;
    std::filesystem::copy_file(kVectors + key + ext, to);
    std::filesystem::permissions(
        to, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  return keys;
}

struct Sig {
  uint16_t type_covered, key_tag;
  uint32_t expiration, inception;
  std::vector<uint8_t> rdata;
};

std::vector<Sig> rrsigs_of(const std::string& text) {
  std::vector<Sig> out;
  for (auto& rr : zk::signer_test::read_records(text)) {
    if (rr.type != 46) continue;
    const auto& d = rr.rdata;
    REQUIRE(d.size() > 18);
    auto g16 = [&](size_t o) { return static_cast<uint16_t>((d[o] << 8) | d[o + 1]); };
    auto g32 = [&](size_t o) { return (uint32_t{g16(o)} << 16) | g16(o + 2); };
    out.push_back({g16(0), g16(16), g32(8), g32(12), d});
  }
  return out;
}

std::string sign_cmd(const std::string& keys, const std::string& out) {
  return zonekiln() + " sign " + kVectors + "example.com.zone --origin example.com. --csk --keys " +
         keys + " --output " + out + " --inception " + std::to_string(kInception) +
         " --expiration " + std::to_string(kExpiration);
}

}  // namespace

TEST_CASE("sign with RFC 8080's keys and window reproduces its RRSIGs byte for byte",
          "[e2e][sign][rfc8080]") {
  const std::vector<Sig> vectors = rrsigs_of(read_file(kVectors + "vectors.zone"));
  REQUIRE(vectors.size() == 4);
  const std::string key =
      GENERATE(as<std::string>{}, "Kexample.com.+015+03613", "Kexample.com.+015+35217",
               "Kexample.com.+016+09713", "Kexample.com.+016+38353");
  // At the inception, and later inside the window: the RRSIG depends on the window only.
  const int64_t now = GENERATE(as<int64_t>{}, 1438207200, 1438207200 + 9 * 86400);
  TempDir dir;
  const std::string keys = key_dir(dir, key);
  std::string log;
  const int rc = run(sign_cmd(keys, dir.file("out")) + " --now " + std::to_string(now), &log);
  INFO(key << " at " << now << "\n" << log);
  REQUIRE(rc == 0);
  const std::vector<Sig> sigs = rrsigs_of(read_file(dir.file("out")));
  REQUIRE(sigs.size() >= 4);  // SOA, NS, MX, NSEC, DNSKEY, CDS, CDNSKEY
  const uint16_t tag = static_cast<uint16_t>(std::stoi(key.substr(key.size() - 5)));
  const Sig* want = nullptr;
  for (const Sig& v : vectors) {
    if (v.key_tag == tag) want = &v;
  }
  REQUIRE(want != nullptr);
  size_t mx = 0;
  for (const Sig& s : sigs) {
    // Every new RRSIG carries exactly the window given: no spread, no jitter.
    CHECK(s.inception == kInception);
    CHECK(s.expiration == kExpiration);
    if (s.type_covered != 15) continue;
    ++mx;
    CHECK(zk::signer_test::hex(s.rdata) == zk::signer_test::hex(want->rdata));
  }
  CHECK(mx == 1);
}

TEST_CASE("a signature window that does not contain the signing time is refused (exit 2)",
          "[e2e][sign][rfc8080]") {
  TempDir dir;
  const std::string keys = key_dir(dir, "Kexample.com.+015+03613");
  const std::string out = dir.file("out");
  struct Case {
    const char* why;
    std::string now;  // empty: the clock (years after the window)
  };
  for (const Case& c : {Case{"the clock", ""}, Case{"--now after it", " --now 1440021600"},
                        Case{"--now before it", " --now 1438207199"}}) {
    std::string log;
    INFO(c.why);
    CHECK(run(sign_cmd(keys, out) + c.now, &log) == 2);
    INFO(log);
    CHECK(log.find("does not contain the signing time") != std::string::npos);
    CHECK(log.find("--now") != std::string::npos);
    CHECK(log.find("must be positive") == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  // Inside the window but too close to its end for the refresh window (max TTL 1 h +
  // propagation 1 h + 2 run intervals): the message names --expiration and --now, not a
  // derived value.
  std::string log;
  CHECK(run(sign_cmd(keys, out) + " --now " + std::to_string(kExpiration - 2 * 86400), &log) == 2);
  INFO(log);
  CHECK(log.find("--expiration 2015-08-19T22:00:00Z leaves 2d") != std::string::npos);
  CHECK(log.find("must be positive") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  // A spread (--sig-jitter) and an exact --expiration cannot be combined.
  CHECK(run(sign_cmd(keys, out) + " --now 1438207200 --sig-jitter 1d", &log) == 2);
  CHECK(log.find("sig-jitter: cannot be combined with --expiration") != std::string::npos);
}
