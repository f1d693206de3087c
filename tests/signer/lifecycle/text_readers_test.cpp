// The lifecycle's small text readers must never crash or loop on hostile input: state files,
// dig output and signed zones come from outside.
#include <catch2/catch.hpp>
#include <random>

#include "dns/base64.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/status.hpp"
#include "signer/lifecycle/unsign.hpp"

using namespace zk::signer;

TEST_CASE("text readers survive random and truncated input", "[lifecycle]") {
  const std::string seed_text =
      "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h ( 1 2 3 4 5 )\n"
      "  RRSIG SOA 13 2 3600 20261210000000 20261126000000 1 example.com. ab==\n"
      "txt TXT \"a;b(c\\\"\" ; x\nexample.com. 86400 IN DS 1 13 2 ( AB\n CD )\n"
      "{\"version\": 1, \"zones\": [{\"origin\": \"a.\", \"keys\": []}]}\n";
  std::mt19937 rng(12345);  // fixed seed: the same inputs every run
  const std::string alphabet = "();\"\\ \t\n$@.0123456789AaINRSIGDNSKEY{}[]:,";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    if (round % 2 == 0) {
      text = seed_text.substr(0, rng() % (seed_text.size() + 1));
    } else {
      const size_t n = rng() % 200;
      for (size_t i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    }
    (void)scan_rrsig_text(text);
    (void)strip_dnssec_text(text, "example.com.");
    (void)parse_ds_text(text, "example.com.", "fuzz");
    auto st = state_from_json(text, "fuzz");
    if (!st) CHECK(st.error().code == zk::Errc::Internal);
    (void)zk::base64_decode(text);
  }
  SUCCEED("no crash");
}
