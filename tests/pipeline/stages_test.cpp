// Unit tests of the pipeline stages on hand-built stores.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "dns/diagnostics.hpp"
#include "pipeline/pipeline.hpp"
#include "tests/support/zone_builder.hpp"

using namespace zk;
using namespace zk::pipeline;
using zk::test::ZoneBuilder;

namespace {

std::string owner_text(const RR& rr) { return name_to_string(rr.owner->name()); }

ZoneBuilder base_zone() {
  ZoneBuilder b("example.");
  b.add("example.", rrtype::SOA, 3600, test::soa("ns.example.", 10, 300))
      .add("example.", rrtype::NS, 3600, test::wire("ns.example."))
      .add("ns.example.", rrtype::A, 3600, test::a(192, 0, 2, 1));
  return b;
}

const OwnerNode& node(const ZoneIndex& idx, const std::string& n) {
  const uint32_t i = idx.find(test::name(n));
  REQUIRE(i != UINT32_MAX);
  return idx.nodes[i];
}

}  // namespace

TEST_CASE("sort orders canonically and removes duplicates keeping the lowest TTL",
          "[pipeline][sort]") {
  ZoneBuilder b("example.");
  b.add("z.example.", rrtype::A, 300, test::a(192, 0, 2, 1))
      .add("A.example.", rrtype::A, 600, test::a(192, 0, 2, 2))
      .add("a.example.", rrtype::A, 100, test::a(192, 0, 2, 2))  // duplicate, other case and TTL
      .add("example.", rrtype::NS, 300, test::wire("ns.example."))
      .add("*.example.", rrtype::TXT, 300, test::txt("x"))
      .add("a.example.", rrtype::A, 300, test::a(192, 0, 2, 1));
  const size_t dups = sort_zone(b.store);
  CHECK(dups == 1);
  const auto& r = b.store.rrs;
  REQUIRE(r.size() == 5);
  CHECK(owner_text(r[0]) == "example.");
  CHECK(owner_text(r[1]) == "*.example.");  // '*' (0x2a) sorts before letters
  CHECK(owner_text(r[2]) == "a.example.");
  CHECK(r[2].rdata[3] == 1);  // rdata order inside the RRset
  CHECK(owner_text(r[3]) == "a.example.");
  CHECK(r[3].ttl == 100);
  CHECK(owner_text(r[4]) == "z.example.");
}

TEST_CASE("out-of-zone records are dropped with a warning", "[pipeline][check]") {
  ZoneBuilder b = base_zone();
  b.add("other.test.", rrtype::A, 300, test::a(192, 0, 2, 9));
  sort_zone(b.store);
  Diagnostics diag;
  CHECK(drop_out_of_zone(b.store, diag) == 1);
  CHECK(diag.warning_count() == 1);
  CHECK(diag.error_count() == 0);
  CHECK(b.store.rrs.size() == 3);
}

TEST_CASE("zone cuts: delegations, glue, DNAME occlusion, ENTs, wildcards", "[pipeline][cut]") {
  ZoneBuilder b = base_zone();
  b.add("sub.example.", rrtype::NS, 3600, test::wire("ns.sub.example."))
      .add("sub.example.", rrtype::DS, 3600, {1, 2, 13, 2, 0xaa})
      .add("ns.sub.example.", rrtype::A, 3600, test::a(192, 0, 2, 2))
      .add("deep.ns.sub.example.", rrtype::TXT, 3600, test::txt("occluded"))
      .add("d.example.", rrtype::DNAME, 3600, test::wire("target.test."))
      .add("x.d.example.", rrtype::A, 3600, test::a(192, 0, 2, 3))
      .add("x.y.z.example.", rrtype::A, 3600, test::a(192, 0, 2, 4))
      .add("*.w.example.", rrtype::A, 3600, test::a(192, 0, 2, 5));
  sort_zone(b.store);
  const ZoneIndex idx = build_index(b.store);
  REQUIRE(idx.apex == 0);
  CHECK(node(idx, "example.").flags & kApex);
  const auto& sub = node(idx, "sub.example.");
  CHECK(sub.flags & kDelegation);
  CHECK(sub.flags & kHasDs);
  CHECK(sub.authoritative());
  CHECK(node(idx, "ns.sub.example.").flags & kOccluded);
  CHECK(node(idx, "deep.ns.sub.example.").flags & kOccluded);
  const auto& d = node(idx, "d.example.");
  CHECK(d.authoritative());
  CHECK(d.flags & kHasDname);
  CHECK(node(idx, "x.d.example.").flags & kBelowDname);
  // ENTs: z.example., y.z.example., w.example. -- but not ns.sub's parent chain (occluded).
  CHECK(node(idx, "z.example.").flags & kEnt);
  CHECK(node(idx, "y.z.example.").flags & kEnt);
  CHECK(node(idx, "w.example.").flags & kEnt);
  CHECK(node(idx, "*.w.example.").flags & kWildcard);
  size_t ents = 0;
  for (const auto& n : idx.nodes) ents += (n.flags & kEnt) != 0;
  CHECK(ents == 3);
  // The table stays in canonical order.
  for (size_t i = 1; i < idx.nodes.size(); ++i) {
    CHECK(owner_compare(idx.nodes[i - 1].owner, idx.nodes[i].owner) < 0);
  }
}

TEST_CASE("zone checks classify errors and warnings", "[pipeline][check]") {
  SECTION("a clean zone passes") {
    ZoneBuilder b = base_zone();
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.error_count() == 0);
    CHECK(diag.warning_count() == 0);
  }
  SECTION("CNAME and other data is an error, RRSIG/NSEC beside CNAME are not") {
    ZoneBuilder b = base_zone();
    b.add("www.example.", rrtype::CNAME, 300, test::wire("example."))
        .add("www.example.", rrtype::NSEC, 300, test::wire("example."))
        .add("bad.example.", rrtype::CNAME, 300, test::wire("example."))
        .add("bad.example.", rrtype::A, 300, test::a(192, 0, 2, 1));
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.error_count() == 1);
  }
  SECTION("missing SOA and apex NS") {
    ZoneBuilder b("example.");
    b.add("example.", rrtype::A, 300, test::a(192, 0, 2, 1));
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.error_count() == 2);
  }
  SECTION("in-zone NS target without address records") {
    ZoneBuilder b = base_zone();
    b.add("sub.example.", rrtype::NS, 300, test::wire("ns.sub.example."))
        .add("sub.example.", rrtype::NS, 300, test::wire("ns.elsewhere.test."));
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.error_count() == 1);
  }
  SECTION("differing TTLs in an RRset: warning, lowest wins; strict makes it fatal") {
    ZoneBuilder b = base_zone();
    b.add("m.example.", rrtype::A, 200, test::a(192, 0, 2, 1))
        .add("m.example.", rrtype::A, 100, test::a(192, 0, 2, 2));
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.error_count() == 0);
    CHECK(diag.warning_count() == 1);
    CHECK_FALSE(diag.has_errors());
    diag.set_strict(true);
    CHECK(diag.has_errors());
    for (const RR& rr : b.store.rrs) {
      if (owner_text(rr) == "m.example.") CHECK(rr.ttl == 100);
    }
  }
  SECTION("RRSIGs form one RRset per covered type for the TTL rule (RFC 4034 s3)") {
    // As at a signed root zone's apex: the RRSIGs over NS, SOA and DNSKEY have their RRsets' TTLs.
    auto sig = [](uint16_t covered, uint8_t tag) {
      std::vector<uint8_t> rd = {static_cast<uint8_t>(covered >> 8),
                                 static_cast<uint8_t>(covered),
                                 8,
                                 1,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 tag,
                                 7};
      const auto signer = test::wire("example.");
      rd.insert(rd.end(), signer.begin(), signer.end());
      rd.push_back(0xab);
      return rd;
    };
    ZoneBuilder b = base_zone();
    b.add("example.", rrtype::RRSIG, 3600, sig(rrtype::NS, 1))
        .add("example.", rrtype::RRSIG, 86400, sig(rrtype::SOA, 1))
        .add("example.", rrtype::RRSIG, 172800, sig(rrtype::DNSKEY, 1))
        .add("example.", rrtype::RRSIG, 172800, sig(rrtype::DNSKEY, 2))
        .add("ns.example.", rrtype::RRSIG, 600, sig(rrtype::A, 1))   // two keys, one
        .add("ns.example.", rrtype::RRSIG, 300, sig(rrtype::A, 2));  // TTL disagrees
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.warning_count() == 1);  // only the two RRSIGs covering ns.example./A
    std::map<std::pair<std::string, uint16_t>, std::set<uint32_t>> ttls;
    for (const RR& rr : b.store.rrs) {
      if (rr.type != rrtype::RRSIG) continue;
      ttls[{owner_text(rr), static_cast<uint16_t>((rr.rdata[0] << 8) | rr.rdata[1])}].insert(
          rr.ttl);
    }
    CHECK(ttls[{"example.", rrtype::NS}] == std::set<uint32_t>{3600});
    CHECK(ttls[{"example.", rrtype::SOA}] == std::set<uint32_t>{86400});
    CHECK(ttls[{"example.", rrtype::DNSKEY}] == std::set<uint32_t>{172800});
    CHECK(ttls[{"ns.example.", rrtype::A}] == std::set<uint32_t>{300});
  }
  SECTION("SOA below the apex and DS at the apex are errors") {
    ZoneBuilder b = base_zone();
    b.add("x.example.", rrtype::SOA, 300, test::soa("ns.example.", 1, 1))
        .add("example.", rrtype::DS, 300, {1, 2, 13, 2, 0xaa});
    sort_zone(b.store);
    Diagnostics diag;
    check_zone(b.store, build_index(b.store), diag);
    CHECK(diag.error_count() == 2);
  }
}

TEST_CASE("TTL clamp counts changed RRsets", "[pipeline][ttl]") {
  ZoneBuilder b = base_zone();
  b.add("big.example.", rrtype::A, 2592000, test::a(192, 0, 2, 1))
      .add("big.example.", rrtype::A, 2592000, test::a(192, 0, 2, 2))
      .add("big.example.", rrtype::TXT, 604801, test::txt("x"))
      .add("ok.example.", rrtype::TXT, 604800, test::txt("x"));
  sort_zone(b.store);
  CHECK(clamp_ttls(b.store, 0) == 0);
  CHECK(clamp_ttls(b.store, 604800) == 2);
  for (const RR& rr : b.store.rrs) CHECK(rr.ttl <= 604800u);
  CHECK(clamp_ttls(b.store, 604800) == 0);
}

TEST_CASE("old DNSSEC records are stripped, foreign DNSKEYs kept", "[pipeline][strip]") {
  ZoneBuilder b = base_zone();
  const std::vector<uint8_t> ours = {1, 1, 3, 13, 0xaa, 0xbb};
  const std::vector<uint8_t> foreign = {1, 1, 3, 13, 0xcc, 0xdd};
  b.add("example.", rrtype::DNSKEY, 300, ours)
      .add("example.", rrtype::DNSKEY, 300, foreign)
      .add("example.", rrtype::NSEC3PARAM, 0, {1, 0, 0, 0, 0})
      .add("example.", rrtype::CDS, 0, {1, 2, 13, 2, 0xaa})
      .add("example.", rrtype::RRSIG, 300, std::vector<uint8_t>(40, 0))
      .add("x.example.", rrtype::NSEC, 300, test::wire("example."));
  sort_zone(b.store);
  const StripResult r = strip_dnssec(b.store, {ours}, true);
  CHECK(r.removed == 5);
  REQUIRE(r.kept_dnskey_tags.size() == 1);
  CHECK(b.store.rrs.size() == 4);
}

TEST_CASE("RFC 1982 serial arithmetic and serial policies", "[pipeline][serial]") {
  CHECK(serial_lt(1, 2));
  CHECK_FALSE(serial_lt(2, 1));
  CHECK(serial_lt(0xffffffffu, 0));  // wraps
  CHECK(serial_lt(0xfffffff0u, 5));
  CHECK_FALSE(serial_lt(0, 0x80000000u));  // undefined pair
  CHECK_FALSE(serial_lt(7, 7));

  const int64_t t = 1764288000;  // 2025-11-28 00:00:00 UTC
  CHECK(next_serial(10, SerialPolicy::Keep, t) == 10);
  CHECK(next_serial(10, SerialPolicy::Increment, t) == 11);
  CHECK(next_serial(0xffffffffu, SerialPolicy::Increment, t) == 1);  // skips 0
  CHECK(next_serial(10, SerialPolicy::UnixTime, t) == 1764288000u);
  CHECK(next_serial(1764288000u, SerialPolicy::UnixTime, t) == 1764288001u);  // never equal
  CHECK(next_serial(2025112700, SerialPolicy::Date, t) == 2025112800u);
  CHECK(next_serial(2025112805, SerialPolicy::Date, t) == 2025112806u);
  CHECK(next_serial(2030010100, SerialPolicy::Date, t) == 2030010101u);  // never backwards
}

// build_index walks a large zone in parts, each starting from the cut and owner the records
// before it imply. Cut anywhere (every part count, so every owner is a part's first somewhere),
// the table must be the serial walk's, node for node: delegations with glue and deeper occluded
// names, DNAMEs (one at the apex of a sub-tree, data below), deep names with empty
// non-terminals, wildcards, secure delegations.
TEST_CASE("index built in parts equals the serial walk", "[pipeline][index]") {
  ZoneBuilder b = base_zone();
  for (int i = 0; i < 60; ++i) {
    const std::string s = std::to_string(i);
    switch (i % 6) {
      case 0:  // delegation with glue, a deeper occluded name and a DS
        b.add("d" + s + ".example.", rrtype::NS, 300, test::wire("ns.d" + s + ".example."))
            .add("d" + s + ".example.", rrtype::DS, 300, test::wire("x.example."))
            .add("ns.d" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 1))
            .add("a.b.ns.d" + s + ".example.", rrtype::TXT, 300, test::txt("occluded"));
        break;
      case 1:  // DNAME with data below it
        b.add("n" + s + ".example.", rrtype::DNAME, 300, test::wire("target.example."))
            .add("x.n" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 2))
            .add("y.x.n" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 3));
        break;
      case 2:  // deep names: empty non-terminals above them
        b.add("a.b.c.e" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 4))
            .add("z.c.e" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 5))
            .add("q.p.e" + s + ".example.", rrtype::TXT, 300, test::txt("t"));
        break;
      case 3:  // wildcards, one under an empty non-terminal
        b.add("*.w" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 6))
            .add("*.x.y.w" + s + ".example.", rrtype::TXT, 300, test::txt("w"));
        break;
      case 4:  // a delegation below a delegation (occluded NS)
        b.add("o" + s + ".example.", rrtype::NS, 300, test::wire("ns.example."))
            .add("sub.o" + s + ".example.", rrtype::NS, 300, test::wire("ns.example."))
            .add("deep.sub.o" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 7));
        break;
      default:  // plain names with several RRsets
        b.add("h" + s + ".example.", rrtype::A, 300, test::a(192, 0, 2, 8))
            .add("h" + s + ".example.", rrtype::AAAA, 300, std::vector<uint8_t>(16, 1))
            .add("h" + s + ".example.", rrtype::TXT, 300, test::txt("h"));
        break;
    }
  }
  sort_zone(b.store);
  const ZoneIndex serial = build_index(b.store, 1);
  REQUIRE(serial.nodes.size() > b.store.rrs.size() / 2);
  for (size_t parts = 2; parts <= b.store.rrs.size() + 1; ++parts) {
    INFO("parts: " << parts);
    const ZoneIndex cut = build_index(b.store, parts);
    REQUIRE(cut.nodes.size() == serial.nodes.size());
    CHECK(cut.apex == serial.apex);
    for (size_t i = 0; i < serial.nodes.size(); ++i) {
      const OwnerNode& x = cut.nodes[i];
      const OwnerNode& y = serial.nodes[i];
      INFO("node " << i << " " << name_to_string(y.owner->name()));
      REQUIRE(name_to_string(x.owner->name()) == name_to_string(y.owner->name()));
      CHECK(x.first == y.first);
      CHECK(x.count == y.count);
      CHECK(x.flags == y.flags);
    }
  }
}
