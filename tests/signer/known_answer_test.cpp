// Known answers from the RFCs and from dnst's signer inputs.
#include <catch2/catch.hpp>

#include "signer/signer.hpp"
#include "tests/signer/signer_test_util.hpp"

using namespace zk;
using namespace zk::signer;
using zk::signer_test::RRsets;
using zk::signer_test::TempDir;

namespace {

std::vector<signer_test::TextRR> records_of(const std::string& path, uint16_t type) {
  std::vector<signer_test::TextRR> out;
  for (auto& rr : signer_test::read_records(signer_test::read_file(path))) {
    if (rr.type == type) out.push_back(std::move(rr));
  }
  return out;
}

Name name_of(const char* text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n));
  return n;
}

// Loads a BIND key pair from testdata through a private 0600 copy (testdata files are 0444).
Key load_copy(const TempDir& dir, const std::string& base, NameView origin) {
  dir.copy_in(base + ".key", 0644);
  const std::string p = dir.copy_in(base + ".private", 0600);
  auto key = load_key(p, origin);
  INFO(base << ": " << (key ? "" : key.error().detail));
  REQUIRE(key);
  return *key;
}

struct RrsigView {
  uint16_t type;
  uint32_t ottl, exp, inc;
  uint16_t tag;
  NameView signer;
};
RrsigView rrsig_view(const std::vector<uint8_t>& rd) {
  auto g16 = [&](size_t o) { return static_cast<uint16_t>((rd[o] << 8) | rd[o + 1]); };
  auto g32 = [&](size_t o) { return (uint32_t{g16(o)} << 16) | g16(o + 2); };
  uint16_t nlen = 0;
  REQUIRE(wire_name_length(rd.data() + 18, rd.size() - 18, &nlen));
  return {g16(0), g32(4), g32(8), g32(12), g16(16), NameView{rd.data() + 18, nlen}};
}

}  // namespace

TEST_CASE("RFC 4034 key tags and DS digests", "[signer]") {
  const auto keys = records_of(signer_test::vectors_dir() + "/rfc4034/examples.zone", 48);
  REQUIRE(keys.size() == 2);
  CHECK(signer_test::hex(keys[0].rdata) ==
        "010003050103D22A6CA77F35B893206FD35E4C506D8378843709B97E041647E1BFF43D8D64C649AF1E371973"
        "C9E891FCE3DF519A8C840A63EE42A6D2EBDDBB97035D215AA4E417B1FA45FA11A9741EA2098C1DFA5FB5FEB3"
        "32FD4BC8152089AEF36BA644CCE2413B3B72BE18CBEF8DA253F4E93D2103866D9234A2E28DF529A67D5468DB"
        "EFE3");
  auto k1 = key_from_dnskey(keys[0].rdata);
  REQUIRE(k1);
  CHECK(k1->tag() == 2642);
  auto k2 = key_from_dnskey(keys[1].rdata);
  REQUIRE(k2);
  CHECK(k2->tag() == 60485);
  CHECK(k2->algorithm() == alg::RSASHA1);

  auto ds1 = ds_rdata(keys[1].owner, keys[1].rdata, digest::SHA1);
  REQUIRE(ds1);
  CHECK(signer_test::hex(*ds1) ==
        "EC4505"
        "01"
        "2BB183AF5F22588179A53B0A98631FAD1A292118");
  auto ds2 = ds_rdata(keys[1].owner, keys[1].rdata, digest::SHA256);
  REQUIRE(ds2);
  CHECK(signer_test::hex(*ds2) ==
        "EC450502D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A");
  // The owner is hashed in canonical (lowercase) form.
  const Name upper = name_of("DSKEY.Example.COM.");
  auto ds3 = ds_rdata(upper, keys[1].rdata, digest::SHA1);
  REQUIRE(ds3);
  CHECK(*ds3 == *ds1);
  CHECK_FALSE(ds_rdata(keys[1].owner, keys[1].rdata, 3));
}

TEST_CASE("RFC 5702 RSASHA256/RSASHA512 signatures are reproduced exactly", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.net.");
  const std::string dir = signer_test::vectors_dir() + "/rfc5702/";
  const auto sigs = records_of(dir + "vectors.zone", 46);
  RRsets sets(signer_test::read_records(signer_test::read_file(dir + "vectors.zone")));
  const auto* a = sets.find(name_of("www.example.net."), 1);
  REQUIRE(a);
  REQUIRE(sigs.size() == 2);

  SignContext ctx;
  for (const char* base : {"Kexample.net.+008+09033", "Kexample.net.+010+03740"}) {
    const Key key = load_copy(tmp, dir + base, origin);
    const auto& want = key.algorithm() == 8 ? sigs[0].rdata : sigs[1].rdata;
    const RrsigView v = rrsig_view(want);
    CHECK(key.tag() == v.tag);
    CHECK(key.bits() == (key.algorithm() == 8 ? 512u : 1024u));
    RrsigParams p{origin, v.inc, v.exp, v.ottl};
    std::vector<uint8_t> out(max_rrsig_rdata_len(key));
    auto n = ctx.sign(key, p, *a, out.data());
    REQUIRE(n);
    out.resize(*n);
    CHECK(signer_test::hex(out) == signer_test::hex(want));
    auto ok = ctx.verify(key, *a, want);
    REQUIRE(ok);
    CHECK(*ok);
  }
}

TEST_CASE("RFC 6605 ECDSA: DS exact, RRSIGs verify, own signatures verify", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.net.");
  const std::string dir = signer_test::vectors_dir() + "/rfc6605/";
  const auto all = signer_test::read_records(signer_test::read_file(dir + "vectors.zone"));
  RRsets sets(all);
  const auto* a = sets.find(name_of("www.example.net."), 1);
  REQUIRE(a);
  std::vector<signer_test::TextRR> dnskeys, dss, sigs;
  for (const auto& rr : all) {
    if (rr.type == 48) dnskeys.push_back(rr);
    if (rr.type == 43) dss.push_back(rr);
    if (rr.type == 46) sigs.push_back(rr);
  }
  REQUIRE(dnskeys.size() == 2);
  REQUIRE(dss.size() == 2);
  REQUIRE(sigs.size() == 2);

  SignContext ctx;
  for (int i = 0; i < 2; ++i) {
    auto pub = key_from_dnskey(dnskeys[i].rdata);
    REQUIRE(pub);
    auto ds = ds_rdata(origin, dnskeys[i].rdata, i == 0 ? digest::SHA256 : digest::SHA384);
    REQUIRE(ds);
    CHECK(signer_test::hex(*ds) == signer_test::hex(dss[i].rdata));
    auto ok = ctx.verify(*pub, *a, sigs[i].rdata);
    REQUIRE(ok);
    CHECK(*ok);
    // A flipped bit must not verify.
    auto bad = sigs[i].rdata;
    bad.back() ^= 1;
    auto nok = ctx.verify(*pub, *a, bad);
    REQUIRE(nok);
    CHECK_FALSE(*nok);

    const Key key = load_copy(
        tmp, dir + (i == 0 ? "Kexample.net.+013+55648" : "Kexample.net.+014+10771"), origin);
    CHECK(key.tag() == (i == 0 ? 55648 : 10771));
    CHECK(std::equal(key.dnskey_rdata().begin(), key.dnskey_rdata().end(), dnskeys[i].rdata.begin(),
                     dnskeys[i].rdata.end()));
    const RrsigView v = rrsig_view(sigs[i].rdata);
    std::vector<uint8_t> out(max_rrsig_rdata_len(key));
    auto n = ctx.sign(key, {origin, v.inc, v.exp, v.ottl}, *a, out.data());
    REQUIRE(n);
    out.resize(*n);
    CHECK(out.size() == sigs[i].rdata.size());
    // Same RDATA up to the signature; the signature itself is randomised.
    CHECK(std::equal(out.begin(), out.end() - key.signature_size(), sigs[i].rdata.begin()));
    auto own = ctx.verify(*pub, *a, out);
    REQUIRE(own);
    CHECK(*own);
  }
}

TEST_CASE("RFC 4035 Appendix A: every RRSIG verifies with the zone's DNSKEYs", "[signer]") {
  const auto all = signer_test::read_records(
      signer_test::read_file(signer_test::vectors_dir() + "/rfc4035/example.signed.zone"));
  RRsets sets(all);
  const auto* dnskeys = sets.find(name_of("example."), 48);
  REQUIRE(dnskeys);
  std::vector<Key> keys;
  for (const RR& rr : *dnskeys) {
    auto k = key_from_dnskey(rr.rdata_span());
    REQUIRE(k);
    keys.push_back(*k);
  }
  SignContext ctx;
  int verified = 0, rrsigs = 0, wildcard = 0;
  for (const auto& rr : all) {
    if (rr.type != 46) continue;
    ++rrsigs;
    const RrsigView v = rrsig_view(rr.rdata);
    const auto* set = sets.find(rr.owner, v.type);
    INFO(name_to_string(rr.owner) << " type " << v.type);
    REQUIRE(set);
    const Key* key = nullptr;
    for (const Key& k : keys) {
      if (k.tag() == v.tag) key = &k;
    }
    REQUIRE(key);
    auto ok = ctx.verify(*key, *set, rr.rdata);
    REQUIRE(ok);
    CHECK(*ok);
    verified += *ok;
    if (rr.owner.view().is_wildcard()) ++wildcard;
  }
  CHECK(rrsigs == verified);
  CHECK(rrsigs == 27);
  CHECK(wildcard == 2);
}

TEST_CASE("RFC 4035 s5.3.2: a wildcard-expanded answer verifies with the wildcard RRSIG",
          "[signer]") {
  const auto all = signer_test::read_records(
      signer_test::read_file(signer_test::vectors_dir() + "/rfc4035/example.signed.zone"));
  RRsets sets(all);
  std::vector<uint8_t> sig;
  for (const auto& rr : all) {
    if (rr.type == 46 && rr.owner.view().is_wildcard() && rrsig_view(rr.rdata).type == 15)
      sig = rr.rdata;
  }
  REQUIRE(!sig.empty());
  const auto* wild = sets.find(name_of("*.w.example."), 15);
  REQUIRE(wild);
  // The same MX RRset as answered for a.z.w.example (RFC 4035 Appendix B.6).
  Arena arena;
  const Name qname = name_of("a.z.w.example.");
  std::vector<RR> expanded = *wild;
  for (RR& rr : expanded) rr.owner = make_owner(arena, qname);
  auto key = key_from_dnskey((*sets.find(name_of("example."), 48))[0].rdata_span());
  REQUIRE(key);
  SignContext ctx;
  auto ok = ctx.verify(*key, expanded, sig);
  REQUIRE(ok);
  CHECK(*ok);
}

TEST_CASE("dnst example.rfc4035: every RRSIG is reproduced exactly", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.");
  const std::string dir = signer_test::dnst_dir() + "/";
  std::vector<Key> keys;
  for (const char* base : {"Kexample.+008+31967", "Kexample.+008+38353"})
    keys.push_back(load_copy(tmp, dir + base, origin));
  CHECK(keys[0].is_ksk());
  CHECK_FALSE(keys[1].is_ksk());

  const auto all =
      signer_test::read_records(signer_test::read_file(dir + "expected/example.rfc4035.signed"));
  RRsets sets(all);
  SignContext ctx;
  int same = 0, total = 0;
  for (const auto& rr : all) {
    if (rr.type != 46) continue;
    ++total;
    const RrsigView v = rrsig_view(rr.rdata);
    const auto* set = sets.find(rr.owner, v.type);
    INFO(name_to_string(rr.owner) << " type " << v.type);
    REQUIRE(set);
    const Key& key = keys[0].tag() == v.tag ? keys[0] : keys[1];
    REQUIRE(key.tag() == v.tag);
    std::vector<uint8_t> out(max_rrsig_rdata_len(key));
    auto n = ctx.sign(key, {v.signer, v.inc, v.exp, v.ottl}, *set, out.data());
    REQUIRE(n);
    out.resize(*n);
    CHECK(signer_test::hex(out) == signer_test::hex(rr.rdata));
    same += out == rr.rdata;
  }
  CHECK(total == 27);
  CHECK(same == total);
}

TEST_CASE("dnst Ed25519 keys: DS exact, signatures deterministic and valid", "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.");
  const std::string dir = signer_test::dnst_dir() + "/";
  const Key ksk = load_copy(tmp, dir + "Kexample.+015+53470", origin);
  CHECK(ksk.tag() == 53470);
  CHECK(ksk.is_ksk());
  const auto want_ds = records_of(dir + "Kexample.+015+53470.ds", 43);
  REQUIRE(want_ds.size() == 1);
  auto ds = ds_rdata(origin, ksk.dnskey_rdata(), digest::SHA256);
  REQUIRE(ds);
  CHECK(signer_test::hex(*ds) == signer_test::hex(want_ds[0].rdata));

  const auto zone = signer_test::read_records(signer_test::read_file(dir + "example.rfc4035"));
  RRsets sets(zone);
  SignContext ctx;
  for (const char* base : {"Kexample.+015+39188", "Kexample.+015+41613"}) {
    const Key zsk = load_copy(tmp, dir + base, origin);
    for (const auto& [k, set] : sets.sets) {
      std::vector<uint8_t> a(max_rrsig_rdata_len(zsk)), b(max_rrsig_rdata_len(zsk));
      const RrsigParams p{origin, 1081190179, 1083782179, 3600};
      auto na = ctx.sign(zsk, p, set, a.data());
      auto nb = ctx.sign(zsk, p, set, b.data());
      REQUIRE(na);
      REQUIRE(nb);
      a.resize(*na);
      b.resize(*nb);
      CHECK(a == b);
      CHECK(a.size() == 18u + origin.size() + 64u);
      auto ok = ctx.verify(zsk, set, a);
      REQUIRE(ok);
      CHECK(*ok);
    }
  }
}

TEST_CASE("dnst Ed25519 keys: BIND's signatures of example.rfc4035 are reproduced exactly",
          "[signer]") {
  TempDir tmp;
  const Name origin = name_of("example.");
  const std::string dir = signer_test::dnst_dir() + "/";
  const Key ksk = load_copy(tmp, dir + "Kexample.+015+53470", origin);
  const Key zsk = load_copy(tmp, dir + "Kexample.+015+39188", origin);
  const auto all = signer_test::read_records(signer_test::read_file(
      std::string(ZK_SOURCE_DIR) + "/tests/signer/data/example.rfc4035.ed25519.signed"));
  RRsets sets(all);
  SignContext ctx;
  int same = 0, total = 0;
  for (const auto& rr : all) {
    if (rr.type != 46) continue;
    ++total;
    const RrsigView v = rrsig_view(rr.rdata);
    const auto* set = sets.find(rr.owner, v.type);
    INFO(name_to_string(rr.owner) << " type " << v.type);
    REQUIRE(set);
    const Key& key = v.tag == ksk.tag() ? ksk : zsk;
    REQUIRE(key.tag() == v.tag);
    std::vector<uint8_t> out(max_rrsig_rdata_len(key));
    auto n = ctx.sign(key, {v.signer, v.inc, v.exp, v.ottl}, *set, out.data());
    REQUIRE(n);
    out.resize(*n);
    CHECK(signer_test::hex(out) == signer_test::hex(rr.rdata));
    same += out == rr.rdata;
  }
  CHECK(total == 27);
  CHECK(same == total);
}

TEST_CASE("root zone 2017082100: every RRSIG verifies (RSASHA256, KSK rollover)", "[signer]") {
  const auto all = signer_test::read_records(signer_test::read_file(
      signer_test::testdata_dir() + "/real-zones/root/root-2017082100.signed.zone"));
  RRsets sets(all);
  const auto* dnskeys = sets.find(name_of("."), 48);
  REQUIRE(dnskeys);
  std::vector<Key> keys;
  for (const RR& rr : *dnskeys) {
    auto k = key_from_dnskey(rr.rdata_span());
    REQUIRE(k);
    keys.push_back(*k);
  }
  std::vector<uint16_t> tags;
  for (const Key& k : keys) tags.push_back(k.tag());
  std::sort(tags.begin(), tags.end());
  CHECK(tags == std::vector<uint16_t>{15768, 19036, 20326});

  SignContext ctx;
  int rrsigs = 0, verified = 0;
  for (const auto& rr : all) {
    if (rr.type != 46) continue;
    ++rrsigs;
    const RrsigView v = rrsig_view(rr.rdata);
    const auto* set = sets.find(rr.owner, v.type);
    const Key* key = nullptr;
    for (const Key& k : keys) {
      if (k.tag() == v.tag) key = &k;
    }
    if (!set || !key) continue;
    auto ok = ctx.verify(*key, *set, rr.rdata);
    if (ok && *ok) ++verified;
  }
  CHECK(rrsigs == 2950);
  CHECK(verified == rrsigs);
}

TEST_CASE("root zone 2026082201: apex SOA and DNSKEY RRSIGs verify", "[signer]") {
  // Only the apex SOA, DNSKEY and their RRSIGs are read (the test reader knows few types).
  std::string text;
  std::istringstream in(signer_test::read_file(
      signer_test::testdata_dir() + "/real-zones/root/root-2026082201.rrsig-stripped.zone"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string owner, ttl, cls, type;
    f >> owner >> ttl >> cls >> type;
    if (owner == "." && (type == "SOA" || type == "DNSKEY" || type == "RRSIG")) text += line + "\n";
  }
  const auto all = signer_test::read_records(text);
  RRsets sets(all);
  const auto* dnskeys = sets.find(name_of("."), 48);
  REQUIRE(dnskeys);
  REQUIRE(dnskeys->size() == 3);
  std::vector<Key> keys;
  for (const RR& rr : *dnskeys) keys.push_back(*key_from_dnskey(rr.rdata_span()));
  SignContext ctx;
  int verified = 0;
  for (const auto& rr : all) {
    if (rr.type != 46) continue;
    const RrsigView v = rrsig_view(rr.rdata);
    for (const Key& k : keys) {
      if (k.tag() != v.tag) continue;
      auto ok = ctx.verify(k, *sets.find(rr.owner, v.type), rr.rdata);
      REQUIRE(ok);
      CHECK(*ok);
      verified += *ok;
    }
  }
  CHECK(verified == 2);
}

TEST_CASE("ZONEMD case 44: the re-signed 2021 root zone is reproduced exactly", "[signer]") {
  TempDir tmp;
  const Name root = name_of(".");
  const std::string dir =
      signer_test::testdata_dir() + "/peer-suites/zonemd-test-cases/zones/44-root-zone/";
  const Key k1 = load_copy(tmp, dir + "Keys/K.+008+17913", root);
  const Key k2 = load_copy(tmp, dir + "Keys/K.+008+21544", root);
  for (const char* file : {"root.zone.signed", "root.zone.hashed"}) {
    INFO(file);
    const auto all = signer_test::read_records(signer_test::read_file(dir + file));
    RRsets sets(all);
    SignContext ctx;
    int total = 0, same = 0;
    for (const auto& rr : all) {
      if (rr.type != 46) continue;
      ++total;
      const RrsigView v = rrsig_view(rr.rdata);
      const Key& key = v.tag == k1.tag() ? k1 : k2;
      REQUIRE(key.tag() == v.tag);
      const auto* set = sets.find(rr.owner, v.type);
      REQUIRE(set);
      std::vector<uint8_t> out(max_rrsig_rdata_len(key));
      auto n = ctx.sign(key, {v.signer, v.inc, v.exp, v.ottl}, *set, out.data());
      REQUIRE(n);
      out.resize(*n);
      if (out == rr.rdata) {
        ++same;
      } else {
        FAIL_CHECK(name_to_string(rr.owner) << " type " << v.type << " differs");
      }
    }
    CHECK(total == 2880);
    CHECK(same == total);
  }
}

TEST_CASE("knot-dnssec-validate: BIND's ECDSA P-256 RRSIGs verify, a broken one does not",
          "[signer]") {
  const std::string dir = signer_test::testdata_dir() + "/peer-suites/knot-dnssec-validate/data/";
  // rrsig.a.zone is valid; rrsig.a.zone.2 has a bad signature over one RRset.
  for (const char* file : {"rrsig.a.zone", "rrsig.a.zone.2", "ok.nsec.zone"}) {
    INFO(file);
    const auto all = signer_test::read_records(signer_test::read_file(dir + file));
    RRsets sets(all);
    SignContext ctx;
    int total = 0, good = 0;
    for (const auto& rr : all) {
      if (rr.type != 46) continue;
      ++total;
      const RrsigView v = rrsig_view(rr.rdata);
      const auto* keys = sets.find(v.signer, 48);
      REQUIRE(keys);
      const auto* set = sets.find(rr.owner, v.type);
      REQUIRE(set);
      for (const RR& k : *keys) {
        auto key = key_from_dnskey(k.rdata_span());
        REQUIRE(key);
        if (key->tag() != v.tag) continue;
        auto ok = ctx.verify(*key, *set, rr.rdata);
        REQUIRE(ok);
        good += *ok;
      }
    }
    CHECK(total >= 7);
    CHECK(good == (std::string(file) == "rrsig.a.zone.2" ? total - 1 : total));
  }
}
