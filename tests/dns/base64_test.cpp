#include "dns/base64.hpp"

#include <catch2/catch.hpp>

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 section 10 vectors", "[dns][base64]") {
  const std::pair<const char*, const char*> rows[] = {{"", ""},
                                                      {"f", "Zg=="},
                                                      {"fo", "Zm8="},
                                                      {"foo", "Zm9v"},
                                                      {"foob", "Zm9vYg=="},
                                                      {"fooba", "Zm9vYmE="},
                                                      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, text] : rows) {
    INFO(plain);
    CHECK(zk::base64_encode(bytes(plain)) == text);
    auto back = zk::base64_decode(text);
    REQUIRE(back.has_value());
    CHECK(*back == bytes(plain));
  }
  std::string out = "x ";
  const uint8_t zero = 0;
  zk::base64_append(out, &zero, 1);
  CHECK(out == "x AA==");
}

TEST_CASE("base64 text from key and state files may be split by blanks and line breaks",
          "[dns][base64]") {
  CHECK(zk::base64_decode("Zm9v Ym\nFy").value() == bytes("foobar"));
  CHECK(zk::base64_decode(" Zm9vYg==\r\n").value() == bytes("foob"));
  std::vector<uint8_t> out = {1, 2};
  REQUIRE(zk::base64_decode("Zm8=", out));
  CHECK(out == std::vector<uint8_t>{1, 2, 'f', 'o'});
}

TEST_CASE("bad base64 is refused and nothing of it is kept", "[dns][base64]") {
  for (const char* bad : {"A", "ABC", "A*==", "Zm8=Zm8=", "Zm=v", "====", "Zm9v =", "AA =="}) {
    INFO(bad);
    CHECK_FALSE(zk::base64_decode(bad).has_value());
    std::vector<uint8_t> out = {7};
    CHECK_FALSE(zk::base64_decode(bad, out));
    CHECK(out == std::vector<uint8_t>{7});
  }
}

TEST_CASE("base64 split over zone-file tokens decodes as one block", "[dns][base64]") {
  uint8_t buf[16];
  zk::Base64Stream s;
  auto a = s.feed("Zm9vY", buf, sizeof buf);
  REQUIRE(a);
  auto b = s.feed("mFy", buf + *a, sizeof buf - *a);
  REQUIRE(b);
  REQUIRE(s.finish());
  CHECK(std::vector<uint8_t>(buf, buf + *a + *b) == bytes("foobar"));
  zk::Base64Stream cut;
  REQUIRE(cut.feed("Zm9", buf, sizeof buf));
  CHECK(cut.finish().error().code == zk::Errc::BadBase64);
  zk::Base64Stream small;
  CHECK(small.feed("Zm9vYmFy", buf, 4).error().code == zk::Errc::RdataTooLong);
}
