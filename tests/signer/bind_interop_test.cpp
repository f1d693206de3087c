// Interoperability with BIND 9's dnssec-* tools (bind9-utils): their keys load here, and keys
// written here are accepted by dnssec-dsfromkey, dnssec-signzone and dnssec-verify.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "signer/signer.hpp"
#include "tests/signer/signer_test_util.hpp"
#include "tests/support/tools.hpp"

using namespace zk;
using namespace zk::signer;
using zk::signer_test::RRsets;
using zk::signer_test::TempDir;

namespace {

Name name_of(const char* text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n));
  return n;
}

// Runs a shell command in dir; returns the exit status and fills out with stdout+stderr.
int run(const std::string& dir, const std::string& cmd, std::string* out = nullptr) {
  const std::string log = dir + "/.cmd.log";
  const int rc = std::system(("cd '" + dir + "' && " + cmd + " >'" + log + "' 2>&1").c_str());
  if (out) *out = signer_test::read_file(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// "example.com. IN DS 29195 15 2 4795..." -> the DS RDATA.
std::vector<uint8_t> ds_from_tool(const std::string& text) {
  auto rrs = signer_test::read_records(text);
  REQUIRE(rrs.size() == 1);
  return rrs[0].rdata;
}

const char* kZone =
    "$TTL 3600\n"
    "example.com. IN SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300\n"
    "example.com. IN NS ns1.example.com.\n"
    "ns1.example.com. IN A 192.0.2.1\n"
    "www.example.com. IN A 192.0.2.2\n"
    "www.example.com. IN A 192.0.2.3\n"
    "www.example.com. IN AAAA 2001:db8::2\n"
    "*.w.example.com. IN MX 10 mail.example.com.\n";

}  // namespace

TEST_CASE("BIND interop: dnssec-keygen keys load, sign and give the same DS", "[signer]") {
  ZK_NEED_TOOLS("dnssec-keygen", "dnssec-dsfromkey");
  TempDir tmp;
  const Name origin = name_of("example.com.");
  const char* gens[] = {
      "-a ECDSAP256SHA256", "-a ECDSAP256SHA256 -f KSK", "-a ECDSAP384SHA384",  "-a ED25519",
      "-a ED448",           "-a RSASHA256 -b 2048",      "-a RSASHA512 -b 2048"};
  for (const char* g : gens) {
    std::string out;
    REQUIRE(run(tmp.path, std::string("dnssec-keygen -K . ") + g + " -n ZONE example.com", &out) ==
            0);
  }
  std::vector<Error> errors;
  auto keys = load_key_dir(tmp.path, origin, &errors);
  REQUIRE(keys);
  for (const Error& e : errors) WARN(e.detail);
  CHECK(errors.empty());
  REQUIRE(keys->size() == std::size(gens));

  Arena arena;
  const Owner* o = make_owner(arena, name_of("www.example.com."));
  const uint8_t a1[4] = {192, 0, 2, 1}, a2[4] = {192, 0, 2, 2};
  const std::vector<RR> set = {RR{o, a1, 300, rrtype::A, 4}, RR{o, a2, 300, rrtype::A, 4}};
  SignContext ctx;
  int ksks = 0;
  for (const Key& key : *keys) {
    INFO(key.source());
    CHECK(key.has_private());
    CHECK(key.timing.created.has_value());
    CHECK(key.timing.activate.has_value());
    ksks += key.is_ksk();
    std::vector<uint8_t> sig(max_rrsig_rdata_len(key));
    auto n = ctx.sign(key, {origin, 1700000000, 1702592000, 300}, set, sig.data());
    REQUIRE(n);
    sig.resize(*n);
    auto pub = key_from_dnskey(key.dnskey_rdata());
    REQUIRE(pub);
    CHECK(*ctx.verify(*pub, set, sig));

    std::string out;
    REQUIRE(run(tmp.path, "dnssec-dsfromkey -2 '" + key.source() + ".key'", &out) == 0);
    auto ds = ds_rdata(origin, key.dnskey_rdata(), digest::SHA256);
    REQUIRE(ds);
    CHECK(signer_test::hex(*ds) == signer_test::hex(ds_from_tool(out)));
  }
  CHECK(ksks == 1);
}

TEST_CASE("BIND interop: zonekiln keys sign zones in dnssec-signzone and verify", "[signer]") {
  ZK_NEED_TOOLS("dnssec-signzone", "dnssec-verify", "dnssec-dsfromkey");
  const uint8_t a = GENERATE(as<uint8_t>{}, alg::ECDSAP256SHA256, alg::ED25519, alg::RSASHA256,
                             alg::ECDSAP384SHA384, alg::ED448);
  INFO("algorithm " << int{a});
  TempDir tmp;
  const Name origin = name_of("example.com.");
  auto ksk = generate_key(a, true);
  auto zsk = generate_key(a, false);
  REQUIRE(ksk);
  REQUIRE(zsk);
  auto kb = write_key_files(*ksk, origin, tmp.path, 1600000000);
  auto zb = write_key_files(*zsk, origin, tmp.path, 1600000000);
  REQUIRE(kb);
  REQUIRE(zb);

  std::string out;
  REQUIRE(run(tmp.path, "dnssec-dsfromkey -2 '" + *kb + ".key'", &out) == 0);
  CHECK(signer_test::hex(*ds_rdata(origin, ksk->dnskey_rdata(), digest::SHA256)) ==
        signer_test::hex(ds_from_tool(out)));
  REQUIRE(run(tmp.path, "dnssec-dsfromkey -a SHA-384 '" + *kb + ".key'", &out) == 0);
  CHECK(signer_test::hex(*ds_rdata(origin, ksk->dnskey_rdata(), digest::SHA384)) ==
        signer_test::hex(ds_from_tool(out)));

  std::ofstream(tmp.path + "/zone") << kZone;
  const int rc = run(tmp.path,
                     // Times relative to now: dnssec-signzone and dnssec-verify check
                     // validity against the clock, so a fixed window would expire one day.
                     "dnssec-signzone -S -K . -o example.com -O full -s now-86400 "
                     "-e now+2592000 -f zone.signed zone",
                     &out);
  INFO(out);
  REQUIRE(rc == 0);
  REQUIRE(run(tmp.path, "dnssec-verify -o example.com zone.signed", &out) == 0);

  // Every RRSIG BIND made with our keys verifies here; EdDSA is deterministic, so our own
  // signature over the same RRset must be the same bytes.
  std::string signed_text;
  for (std::istringstream in(signer_test::read_file(tmp.path + "/zone.signed"));
       std::getline(in, out);)
    if (out.rfind(";", 0) != 0) signed_text += out + "\n";
  const auto all = signer_test::read_records(signed_text);
  RRsets sets(all);
  SignContext ctx;
  int checked = 0;
  for (const auto& rr : all) {
    if (rr.type != rrtype::RRSIG) continue;
    const uint16_t covered = static_cast<uint16_t>((rr.rdata[0] << 8) | rr.rdata[1]);
    const uint16_t tag = static_cast<uint16_t>((rr.rdata[16] << 8) | rr.rdata[17]);
    const Key& key = tag == ksk->tag() ? *ksk : *zsk;
    REQUIRE(key.tag() == tag);
    const auto* set = sets.find(rr.owner, covered);
    REQUIRE(set);
    auto ok = ctx.verify(key, *set, rr.rdata);
    REQUIRE(ok);
    CHECK(*ok);
    if (a == alg::ED25519 || a == alg::ED448) {
      auto g32 = [&](size_t off) {
        return (uint32_t{rr.rdata[off]} << 24) | (uint32_t{rr.rdata[off + 1]} << 16) |
               (uint32_t{rr.rdata[off + 2]} << 8) | rr.rdata[off + 3];
      };
      std::vector<uint8_t> mine(max_rrsig_rdata_len(key));
      auto n = ctx.sign(key, {origin, g32(12), g32(8), g32(4)}, *set, mine.data());
      REQUIRE(n);
      mine.resize(*n);
      CHECK(signer_test::hex(mine) == signer_test::hex(rr.rdata));
    }
    ++checked;
  }
  CHECK(checked >= 8);
}
