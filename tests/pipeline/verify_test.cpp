// verify_zone in process: broken zones raise their error, good ones pass, 1 vs 4 threads.
#include "pipeline/verify.hpp"

#include <oneapi/tbb/task_arena.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parser/parser.hpp"

using namespace zk;
using namespace zk::pipeline;

namespace {

const std::string kBroken = std::string(ZK_SOURCE_DIR) + "/testdata/broken/";
const std::string kShared = std::string(ZK_TESTDATA_DIR) + "/";

int64_t at(const std::string& yyyymmddhhmmss) {
  std::tm tm{};
  tm.tm_year = std::stoi(yyyymmddhhmmss.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(yyyymmddhhmmss.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(yyyymmddhhmmss.substr(6, 2));
  tm.tm_hour = std::stoi(yyyymmddhhmmss.substr(8, 2));
  tm.tm_min = std::stoi(yyyymmddhhmmss.substr(10, 2));
  tm.tm_sec = std::stoi(yyyymmddhhmmss.substr(12, 2));
  return static_cast<int64_t>(timegm(&tm));
}

Name origin_of(const std::string& text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n).has_value());
  n.to_lower();
  return n;
}

// A signed example.com. of testdata/broken/ (good-nsec.zone, good-nsec3.zone), sorted.
ZoneStore good_zone(const std::string& file = "good-nsec.zone") {
  ZoneStore store;
  Diagnostics diag;
  parser::ParseOptions popts;
  popts.origin = origin_of("example.com.");
  popts.origin_set = true;
  REQUIRE(parser::parse_file(kBroken + file, popts, store, diag).has_value());
  store.origin = popts.origin;
  sort_zone(store);
  return store;
}

struct Outcome {
  VerifyReport report;
  std::string text;
};

Outcome verify_at(const std::string& path, const std::string& origin, VerifyOptions o,
                  int threads) {
  tbb::task_arena arena(threads);
  Outcome out;
  arena.execute([&] {
    Diagnostics diag;
    auto r = verify_file(path, origin_of(origin), o, diag);
    REQUIRE(r.has_value());
    out.report = std::move(*r);
  });
  out.text = format_report(out.report, origin_of(origin));
  return out;
}

bool has_check(const VerifyReport& r, std::string_view name) {
  for (const auto& p : r.problems) {
    if (!p.warning && verify_check_name(p.check) == name) return true;
  }
  return false;
}

struct Case {
  std::string file, origin, now, ds, expected;
};

std::vector<Case> broken_cases() {
  std::ifstream in(kBroken + "CASES.tsv");
  std::vector<Case> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    Case c;
    std::getline(ls, c.file, '\t');
    std::getline(ls, c.origin, '\t');
    std::getline(ls, c.now, '\t');
    std::getline(ls, c.ds, '\t');
    std::getline(ls, c.expected, '\t');
    if (!c.file.empty()) out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE("broken zones raise their error, good zones pass, any thread count", "[verify]") {
  const auto cases = broken_cases();
  REQUIRE(cases.size() >= 11);
  for (const Case& c : cases) {
    INFO(c.file << " expecting " << c.expected);
    VerifyOptions o;
    o.now = at(c.now);
    if (c.ds != "-") {
      auto ds = read_ds_file(kBroken + c.ds, origin_of(c.origin));
      REQUIRE(ds.has_value());
      o.ds = *ds;
    }
    const Outcome one = verify_at(kBroken + c.file, c.origin, o, 1);
    const Outcome four = verify_at(kBroken + c.file, c.origin, o, 4);
    INFO(one.text);
    CHECK(one.text == four.text);
    for (const auto& p : one.report.problems) CHECK(p.error.code == Errc::VerifyFailed);
    if (c.expected == "valid") {
      CHECK(one.report.valid());
      CHECK(one.report.summary.signatures_verified == one.report.summary.signatures);
    } else {
      CHECK_FALSE(one.report.valid());
      CHECK(has_check(one.report, c.expected));
    }
  }
}

TEST_CASE("structure mode checks everything but the cryptography", "[verify]") {
  VerifyOptions o;
  o.now = at("20261215000000");
  o.crypto = false;
  const Outcome flipped = verify_at(kBroken + "flipped-signature-bit.zone", "example.com.", o, 2);
  CHECK(flipped.report.valid());  // only the signature bytes are wrong
  CHECK(flipped.report.summary.signatures_verified == 0);
  const Outcome bitmap = verify_at(kBroken + "wrong-nsec-bitmap.zone", "example.com.", o, 2);
  CHECK(has_check(bitmap.report, "bad-bitmap"));
  CHECK_FALSE(has_check(bitmap.report, "bad-signature"));
  const Outcome expired = verify_at(kBroken + "expired-rrsig.zone", "example.com.", o, 2);
  CHECK(has_check(expired.report, "expired"));
}

TEST_CASE("RFC 4035 appendix A zone: valid in its window, expired after", "[verify]") {
  const std::string zone = kShared + "rfc-vectors/rfc4035/example.signed.zone";
  VerifyOptions o;
  o.now = at("20040420000000");
  const Outcome good = verify_at(zone, "example.", o, 4);
  INFO(good.text);
  CHECK(good.report.valid());
  CHECK(good.report.summary.warnings == 0);
  CHECK(good.report.summary.nsec == 10);
  CHECK(good.report.summary.signatures == good.report.summary.signatures_verified);

  o.now = at("20040601000000");
  const Outcome late = verify_at(zone, "example.", o, 4);
  CHECK(has_check(late.report, "expired"));
  o.now = at("20040401000000");
  const Outcome early = verify_at(zone, "example.", o, 4);
  CHECK(has_check(early.report, "not-yet-valid"));
}

TEST_CASE("RFC 5155 appendix A zone with a name equal to an NSEC3 owner is valid in its window",
          "[verify]") {
  // 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. holds an A RRset and is also the NSEC3 owner
  // for ns1.example.: the records at one owner belong to two names (ldns-verify-zone -t and
  // kzonecheck accept the zone, see tests/e2e/rfc5155_test.cpp).
  const std::string zone = kShared + "rfc-vectors/rfc5155/example.signed.zone";
  VerifyOptions o;
  o.now = at("20100101000000");
  const Outcome good = verify_at(zone, "example.", o, 4);
  INFO(good.text);
  CHECK(good.report.valid());
  CHECK(good.report.summary.warnings == 0);
  CHECK(good.report.summary.nsec3 == 12);
  CHECK(good.report.summary.names == 17);  // 15 with data, the ENTs w. and y.w.example.
  CHECK(good.report.summary.signatures == 30);
  CHECK(good.report.summary.signatures == good.report.summary.signatures_verified);
  CHECK(good.text == verify_at(zone, "example.", o, 1).text);

  o.now = at("20160101000000");
  const Outcome late = verify_at(zone, "example.", o, 2);
  CHECK(has_check(late.report, "expired"));
  CHECK_FALSE(has_check(late.report, "bad-nsec3-chain"));
  CHECK_FALSE(has_check(late.report, "missing-nsec3"));
  CHECK_FALSE(has_check(late.report, "bad-bitmap"));
}

TEST_CASE("Knot's validation suite: valid and invalid as Knot says", "[verify]") {
  const std::string dir = kShared + "peer-suites/knot-dnssec-validate/data/";
  std::ifstream in(kShared + "peer-suites/knot-dnssec-validate/CASES.tsv");
  std::string line;
  std::getline(in, line);
  int n = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string file, origin, expected;
    std::getline(ls, file, '\t');
    std::getline(ls, origin, '\t');
    std::getline(ls, expected, '\t');
    if (file.empty()) continue;
    ++n;
    VerifyOptions o;
    o.now = at("20210101000000");
    const Outcome r = verify_at(dir + file, origin, o, 2);
    INFO(file << "\n" << r.text);
    CHECK(r.report.valid() == (expected == "valid"));
  }
  CHECK(n >= 20);
}

TEST_CASE("NSEC3 iterations past RFC 9276's limit are reported, not hashed", "[verify]") {
  // A signed NSEC3 zone rewritten to ask for 65535 iterations with a 255-octet salt, plus 500
  // names (testdata/fuzz/crashers/verify/): hashing each name 65536 times would take minutes;
  // a 10 MB zone, hours. The first line of the file is its apex.
  std::ifstream in(kShared + "fuzz/crashers/verify/nsec3-65535-iterations", std::ios::binary);
  std::string apex;
  std::getline(in, apex);
  std::ostringstream rest;
  rest << in.rdbuf();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("zk_verify_iter_" + std::to_string(::getpid())))
          .string();
  std::ofstream(path, std::ios::binary) << rest.str();
  VerifyOptions o;
  o.now = at("20261210000000");
  const Outcome out = verify_at(path, apex, o, 2);
  o.max_problems = 10;
  const Outcome few = verify_at(path, apex, o, 1);
  std::filesystem::remove(path);
  CHECK(has_check(out.report, "bad-nsec3param"));
  CHECK(out.text.find("NSEC3 iterations 65535 above 150: validators treat the zone as insecure "
                      "(RFC 9276 s3.2); the NSEC3 chain is not checked") != std::string::npos);
  CHECK(out.report.summary.nsec3 == 0);    // the chain was left alone
  CHECK(out.report.summary.names == 520);  // 20 + 500; the NSEC3 owners are not names
  CHECK_FALSE(out.report.valid());
  // Listing stops at max_problems, ZONEMD problems included; the count stays right.
  CHECK(few.report.problems.size() == 10);
  CHECK(few.report.summary.errors == out.report.summary.errors);
  CHECK(few.report.summary.errors > 10);
}

TEST_CASE("a DS file without DS records for the origin is a usage error", "[verify]") {
  auto ds = read_ds_file(kBroken + "good.ds", origin_of("example.net."));
  REQUIRE_FALSE(ds.has_value());
  CHECK(ds.error().code == Errc::Usage);
}

TEST_CASE("ChunkVerifier: an owner's output passes, a tampered signature does not", "[verify]") {
  ZoneStore store = good_zone();
  const ZoneIndex index = build_index(store);
  VerifyOptions o;
  o.now = at("20261215000000");
  auto v = ChunkVerifier::create(store, index, ChunkVerifier::ChainKind::Nsec, {}, o);
  REQUIRE(v.has_value());
  auto scratch = (*v)->make_scratch();
  const uint32_t mail = index.find(origin_of("mail.example.com."));
  REQUIRE(mail != UINT32_MAX);
  const OwnerNode& n = index.nodes[mail];
  std::vector<RR> emitted(store.rrs.begin() + n.first, store.rrs.begin() + n.first + n.count);
  std::vector<VerifyProblem> problems;
  (*v)->check_node(*scratch, mail, emitted, problems);
  CHECK(problems.empty());

  std::vector<uint8_t> copy;
  for (RR& rr : emitted) {
    if (rr.type != rrtype::RRSIG) continue;
    copy.assign(rr.rdata, rr.rdata + rr.rdlen);
    copy.back() ^= 1;
    rr.rdata = copy.data();
    break;
  }
  (*v)->check_node(*scratch, mail, emitted, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == VerifyCheck::BadSignature);

  // The NSEC next owner comes from the index, not from what the writer made.
  problems.clear();
  const uint32_t apex = index.apex;
  const OwnerNode& a = index.nodes[apex];
  std::vector<RR> apex_rrs(store.rrs.begin() + a.first, store.rrs.begin() + a.first + a.count);
  (*v)->check_node(*scratch, mail, apex_rrs, problems);  // the apex's records as mail's
  CHECK_FALSE(problems.empty());
}

TEST_CASE("ChunkVerifier::for_slice: the apex's keys, and an NSEC into the next slice",
          "[verify][spill]") {
  // A spilled sign verifies one slice at a time: a slice without the apex still has its
  // signatures checked with the apex's keys, and the NSEC of its last name must point to the
  // first name of the next slice (which is not in the slice's index).
  ZoneStore store = good_zone();
  const ZoneIndex index = build_index(store);
  VerifyOptions o;
  o.now = at("20261215000000");
  auto v = ChunkVerifier::create(store, index, ChunkVerifier::ChainKind::Nsec, {}, o);
  REQUIRE(v.has_value());
  const uint32_t mail = index.find(origin_of("mail.example.com."));
  REQUIRE(mail != UINT32_MAX);
  const OwnerNode& n = index.nodes[mail];
  // The slice: mail's records alone; the next slice would start at mail's NSEC next name.
  ZoneStore slice;
  slice.origin = store.origin;
  slice.rrs.assign(store.rrs.begin() + n.first, store.rrs.begin() + n.first + n.count);
  const ZoneIndex slice_index = build_index(slice);
  REQUIRE(slice_index.apex == UINT32_MAX);
  REQUIRE(slice_index.nodes.size() == 1);
  NameView next;
  for (const RR& rr : slice.rrs) {
    if (rr.type != rrtype::NSEC) continue;
    uint16_t len = 0;  // the next owner name: labels up to the root's
    while (rr.rdata[len] != 0) len += static_cast<uint16_t>(rr.rdata[len] + 1);
    next = NameView{rr.rdata, static_cast<uint16_t>(len + 1)};
  }
  REQUIRE(next.len > 1);
  const std::vector<RR> emitted(slice.rrs.begin(), slice.rrs.end());
  std::vector<VerifyProblem> problems;
  auto good = (*v)->for_slice(slice, slice_index, next);
  REQUIRE(good.has_value());
  auto scratch = (*good)->make_scratch();
  (*good)->check_node(*scratch, 0, emitted, problems);
  CHECK(problems.empty());

  // The same records, told the next slice starts elsewhere (here: the apex).
  auto wrong = (*v)->for_slice(slice, slice_index, store.origin.view());
  REQUIRE(wrong.has_value());
  (*wrong)->check_node(*scratch, 0, emitted, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == VerifyCheck::BadNsecNext);

  // A tampered signature in the slice is caught with the apex's keys.
  problems.clear();
  std::vector<RR> tampered = emitted;
  std::vector<uint8_t> copy;
  for (RR& rr : tampered) {
    if (rr.type != rrtype::RRSIG) continue;
    copy.assign(rr.rdata, rr.rdata + rr.rdlen);
    copy.back() ^= 1;
    rr.rdata = copy.data();
    break;
  }
  (*good)->check_node(*scratch, 0, tampered, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == VerifyCheck::BadSignature);
}

TEST_CASE("ChunkVerifier: signatures by a key outside the DNSKEY RRset are verified when named",
          "[verify][algroll]") {
  // An algorithm rollover's new ZSK signs before its DNSKEY is published: the sign pass names
  // it (VerifyOptions::unpublished_keys) so that its signatures are checked, not skipped.
  ZoneStore store = good_zone();
  // Take the ZSK (flags 256) out of the DNSKEY RRset; its RDATA stays in the store's arena.
  std::vector<uint8_t> zsk;
  for (auto it = store.rrs.begin(); it != store.rrs.end(); ++it) {
    if (it->type == rrtype::DNSKEY && it->rdlen > 4 && it->rdata[0] == 1 && it->rdata[1] == 0) {
      zsk.assign(it->rdata, it->rdata + it->rdlen);
      store.rrs.erase(it);
      break;
    }
  }
  REQUIRE_FALSE(zsk.empty());
  const ZoneIndex index = build_index(store);
  const uint32_t mail = index.find(origin_of("mail.example.com."));
  REQUIRE(mail != UINT32_MAX);
  const OwnerNode& n = index.nodes[mail];
  std::vector<RR> emitted(store.rrs.begin() + n.first, store.rrs.begin() + n.first + n.count);
  std::vector<uint8_t> copy;
  for (RR& rr : emitted) {
    if (rr.type != rrtype::RRSIG) continue;
    copy.assign(rr.rdata, rr.rdata + rr.rdlen);
    copy.back() ^= 1;
    rr.rdata = copy.data();
    break;
  }
  REQUIRE_FALSE(copy.empty());
  auto errors = [](const std::vector<VerifyProblem>& ps) {
    std::vector<VerifyCheck> out;
    for (const auto& p : ps) {
      if (!p.warning) out.push_back(p.check);
    }
    return out;
  };
  VerifyOptions o;
  o.now = at("20261215000000");
  SECTION("not named: skipped as by an unknown key, the tampering goes unseen") {
    auto v = ChunkVerifier::create(store, index, ChunkVerifier::ChainKind::Nsec, {}, o);
    REQUIRE(v.has_value());
    auto scratch = (*v)->make_scratch();
    std::vector<VerifyProblem> problems;
    (*v)->check_node(*scratch, mail, emitted, problems);
    // (Only "no signature of the KSK's algorithm", which the ZSK shares here; in a rollover the
    // unpublished key's algorithm is not in the DNSKEY RRset and nothing at all is reported.)
    for (VerifyCheck c : errors(problems)) CHECK(c == VerifyCheck::MissingSignature);
    bool unknown = false;
    for (const auto& p : problems) unknown |= p.check == VerifyCheck::UnknownKey;
    CHECK(unknown);
  }
  SECTION("named: verified, so the tampered signature is caught") {
    o.unpublished_keys = {zsk};
    auto v = ChunkVerifier::create(store, index, ChunkVerifier::ChainKind::Nsec, {}, o);
    REQUIRE(v.has_value());
    auto scratch = (*v)->make_scratch();
    std::vector<VerifyProblem> problems;
    const std::vector<RR> good(store.rrs.begin() + n.first, store.rrs.begin() + n.first + n.count);
    (*v)->check_node(*scratch, mail, good, problems);
    CHECK(problems.empty());  // no unknown-key warning either
    (*v)->check_node(*scratch, mail, emitted, problems);
    REQUIRE(errors(problems).size() == 1);
    CHECK(errors(problems)[0] == VerifyCheck::BadSignature);
  }
}

TEST_CASE("ChunkVerifier: an NSEC3 whose next hash is not its neighbour's is caught", "[verify]") {
  ZoneStore store = good_zone("good-nsec3.zone");
  const ZoneIndex index = build_index(store);
  VerifyOptions o;
  o.now = at("20261215000000");
  auto v = ChunkVerifier::create(store, index, ChunkVerifier::ChainKind::Nsec3, {}, o);
  REQUIRE(v.has_value());
  auto scratch = (*v)->make_scratch();
  const uint32_t mail = index.find(origin_of("mail.example.com."));
  const Nsec3Hash h = nsec3_hash(origin_of("mail.example.com."), {}, 0);
  const uint32_t hashed = index.find(origin_of(base32hex(h.data(), h.size()) + ".example.com."));
  REQUIRE(mail != UINT32_MAX);
  REQUIRE(hashed != UINT32_MAX);
  const OwnerNode& n = index.nodes[hashed];
  const std::vector<RR> emitted(store.rrs.begin() + n.first, store.rrs.begin() + n.first + n.count);
  std::vector<VerifyProblem> problems;
  (*v)->check_nsec3(*scratch, mail, /*next_node=*/mail, false, emitted, problems);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].check == VerifyCheck::BadNsec3Chain);
  problems.clear();
  (*v)->check_nsec3(*scratch, index.apex, mail, false, emitted, problems);  // wrong owner hash
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].check == VerifyCheck::MissingNsec3);
}
