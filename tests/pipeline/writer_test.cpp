// The chain + output stage without keys: NSEC/NSEC3 contents and thread-count independence.
#include "pipeline/detail/writer.hpp"

#include <oneapi/tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/zone_builder.hpp"

using namespace zk;
using namespace zk::pipeline;
using zk::test::ZoneBuilder;

namespace {

ZoneBuilder chain_zone() {
  ZoneBuilder b("example.");
  b.add("example.", rrtype::SOA, 3600, test::soa("ns.example.", 10, 300))
      .add("example.", rrtype::NS, 3600, test::wire("ns.example."))
      .add("ns.example.", rrtype::A, 3600, test::a(192, 0, 2, 1))
      .add("secure.example.", rrtype::NS, 3600, test::wire("ns.secure.example."))
      .add("secure.example.", rrtype::DS, 3600, {1, 2, 13, 2, 0xaa})
      .add("ns.secure.example.", rrtype::A, 3600, test::a(192, 0, 2, 2))
      .add("insecure.example.", rrtype::NS, 3600, test::wire("ns.elsewhere.test."))
      .add("insecure.example.", rrtype::A, 3600, test::a(192, 0, 2, 4))  // glue at the cut
      .add("x.ent.example.", rrtype::TXT, 3600, test::txt("below an ENT"))
      .add("*.example.", rrtype::MX, 3600, {0, 10, 0});
  for (int i = 0; i < 3000; ++i) {
    b.add("h" + std::to_string(i) + ".example.", rrtype::A, 3600,
          test::a(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)));
  }
  sort_zone(b.store);
  return b;
}

std::string run(const ZoneStore& store, const ZoneIndex& index, detail::ChainKind chain,
                const Nsec3Options& n3, int threads) {
  test::TempDir dir;
  const std::string path = dir.file("out.zone");
  detail::WritePlan plan;
  plan.store = &store;
  plan.index = &index;
  plan.chain = chain;
  plan.chain_ttl = 300;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    REQUIRE(detail::build_chain(plan, n3).has_value());
    auto f = emit::OutputFile::open(path);
    REQUIRE(f.has_value());
    REQUIRE(detail::write_zone(plan, &*f).has_value());
    REQUIRE(f->commit().has_value());
  });
  return test::read_file(path);
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("NSEC chain: authoritative names and delegations, bitmaps per RFC 4035 s2.3",
          "[pipeline][nsec]") {
  ZoneBuilder b = chain_zone();
  const ZoneIndex idx = build_index(b.store);
  const std::string out = run(b.store, idx, detail::ChainKind::Nsec, {}, 1);
  const auto nsec = lines_with(out, "\tNSEC\t");
  // apex, *, 3000 h*, insecure, ns, secure, x.ent  (no glue, no ENT)
  CHECK(nsec.size() == 3006);
  CHECK(out.rfind("example.\t3600\tIN\tSOA\t", 0) == 0);  // apex SOA first
  CHECK(lines_with(out, "example.\t300\tIN\tNSEC\t*.example. NS SOA RRSIG NSEC").size() == 1);
  CHECK(lines_with(out, "insecure.example.\t300\tIN\tNSEC\tns.example. NS RRSIG NSEC").size() == 1);
  CHECK(lines_with(out, "secure.example.\t300\tIN\tNSEC\texample. NS DS RRSIG NSEC").size() == 1);
  // "ent" sorts before "h0"; the last name (secure) points back to the apex.
  CHECK(lines_with(out, "x.ent.example.\t300\tIN\tNSEC\th0.example. TXT RRSIG NSEC").size() == 1);
  CHECK(lines_with(out, "ns.secure.example.\t300\tIN\tNSEC").empty());
}

TEST_CASE("NSEC3 chain: ENTs included, opt-out skips insecure delegations", "[pipeline][nsec3]") {
  ZoneBuilder b = chain_zone();
  const ZoneIndex idx = build_index(b.store);
  Nsec3Options n3;
  n3.enabled = true;
  const std::string out = run(b.store, idx, detail::ChainKind::Nsec3, n3, 2);
  // apex, *, 3000 h*, insecure, ns, secure, ent (ENT), x.ent
  CHECK(lines_with(out, "\tNSEC3\t").size() == 3007);
  n3.opt_out = true;
  const std::string opt = run(b.store, idx, detail::ChainKind::Nsec3, n3, 2);
  const auto rows = lines_with(opt, "\tNSEC3\t");
  CHECK(rows.size() == 3006);
  for (const auto& r : rows) CHECK(r.find("\tNSEC3\t1 1 0 - ") != std::string::npos);
}

TEST_CASE("output is byte-identical for 1 and 4 threads", "[pipeline][threads]") {
  ZoneBuilder b = chain_zone();
  const ZoneIndex idx = build_index(b.store);
  Nsec3Options n3;
  n3.enabled = true;
  n3.iterations = 3;
  n3.salt = {0xab, 0xcd};
  CHECK(run(b.store, idx, detail::ChainKind::Nsec, {}, 1) ==
        run(b.store, idx, detail::ChainKind::Nsec, {}, 4));
  CHECK(run(b.store, idx, detail::ChainKind::Nsec3, n3, 1) ==
        run(b.store, idx, detail::ChainKind::Nsec3, n3, 4));
}
