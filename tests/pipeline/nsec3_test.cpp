// NSEC3 hashing against RFC 5155 Appendix A (salt aabbccdd, 12 iterations).
#include <catch2/catch.hpp>

#include "pipeline/pipeline.hpp"
#include "tests/support/zone_builder.hpp"

using namespace zk;

TEST_CASE("NSEC3 hashes match RFC 5155 Appendix A", "[pipeline][nsec3]") {
  const std::vector<uint8_t> salt = {0xaa, 0xbb, 0xcc, 0xdd};
  struct Row {
    const char* name;
    const char* hash;
  };
  const Row rows[] = {
      {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
      {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
      {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
      {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
      {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
      {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
      {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
      {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
      {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
      {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
      {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
  };
  for (const Row& r : rows) {
    INFO(r.name);
    const Name n = test::name(r.name);
    const auto h = pipeline::nsec3_hash(n, salt, 12);
    CHECK(pipeline::base32hex(h.data(), h.size()) == r.hash);
  }
}

TEST_CASE("base32hex without padding", "[pipeline][nsec3]") {
  const uint8_t f[] = {'f', 'o', 'o', 'b', 'a', 'r'};
  CHECK(pipeline::base32hex(f, 0).empty());
  CHECK(pipeline::base32hex(f, 1) == "co");
  CHECK(pipeline::base32hex(f, 3) == "cpnmu");
  CHECK(pipeline::base32hex(f, 6) == "cpnmuoj1e8");  // RFC 4648 s10, lowercased, no padding
}
