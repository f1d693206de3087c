#include "emit/detail/text_out.hpp"

#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

namespace {

std::string glibc_text(const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN];
  REQUIRE(inet_ntop(AF_INET6, a, buf, sizeof buf) != nullptr);
  return buf;
}

}  // namespace

TEST_CASE("put_ipv6 writes what inet_ntop writes", "[emit]") {
  // Every pattern of zero and non-zero 16-bit groups (this covers the "::" choices and the
  // ::a.b.c.d / ::ffff:a.b.c.d forms), each with a few random non-zero values.
  std::mt19937 rng(7);
  for (unsigned mask = 0; mask < 256; ++mask) {
    for (int round = 0; round < 8; ++round) {
      uint8_t a[16] = {};
      for (int g = 0; g < 8; ++g) {
        if (!(mask & (1u << g))) continue;
        unsigned w = 1 + rng() % 0xffff;
        if (round == 1) w = 0xffff;
        if (round == 2) w = 1u << (rng() % 16);
        a[2 * g] = static_cast<uint8_t>(w >> 8);
        a[2 * g + 1] = static_cast<uint8_t>(w);
      }
      std::string ours;
      zk::emit::detail::put_ipv6(ours, a);
      INFO("mask " << mask << " round " << round);
      CHECK(ours == glibc_text(a));
    }
  }
}

TEST_CASE("put_escaped escapes quotes, backslashes and non-printables only", "[emit]") {
  const uint8_t in[] = {'a', '"', 'b', '\\', 0x00, 0x7f, ' ', '~', 0xff};
  std::string out;
  zk::emit::detail::put_escaped(out, in, sizeof in);
  CHECK(out == "a\\\"b\\\\\\000\\127 ~\\255");
}
