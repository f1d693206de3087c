// Deterministic zone text for benches (fixed seed): a mix shaped like bench/zonegen.py output
// (A, AAAA, TXT, MX, CAA, CNAME, NS+DS delegations, blank owners, a few explicit TTLs).
#pragma once

#include <cstdint>
#include <string>

namespace zk::bench {

inline std::string make_zone(unsigned names, uint32_t seed = 1) {
  std::string z;
  z.reserve(static_cast<size_t>(names) * 110);
  z += "$ORIGIN example.test.\n$TTL 3600\n";
  z += "@ 86400 IN SOA ns1.example.test. hostmaster.example.test. ( 2024010101 7200 3600 "
       "1209600 3600 )\n@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n";
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  auto rnd = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const char* syl[] = {"jo", "fi", "ze", "mi", "ka", "to", "nu", "bo", "si", "da", "yo", "he"};
  for (unsigned i = 0; i < names; ++i) {
    const uint64_t r = rnd();
    std::string owner = std::string(syl[r % 12]) + syl[(r >> 4) % 12] + "-" + std::to_string(i);
    const unsigned kind = (r >> 8) % 16;
    const auto b = [&](unsigned s) { return std::to_string((r >> s) & 255); };
    if (kind < 6) {
      z += owner + ((r >> 40) % 5 == 0 ? " 300" : "") + " A 198." + b(16) + "." + b(24) + "." +
           b(32) + "\n";
      if ((r >> 44) % 3 == 0) z += "\tAAAA 2001:db8:" + b(16) + ":" + b(24) + "::" + b(32) + "\n";
    } else if (kind < 9) {
      z += owner + " IN AAAA 2001:db8:" + b(16) + "a:" + b(24) + "b::" + b(32) + "\n";
    } else if (kind < 11) {
      z += owner + " TXT \"v=spf1 ip4:203.0.113." + b(16) + " include:_spf.example.net ~all\"\n";
    } else if (kind < 12) {
      z += owner + " MX 10 mail\n\tMX 20 mail2." + owner + "\n";
    } else if (kind < 13) {
      z += owner + " CAA 0 issue \"letsencrypt.org\"\n";
    } else if (kind < 14) {
      z += owner + " CNAME target-" + b(16) + ".example.net.\n";
    } else {
      z += owner + " NS ns1." + owner + "\n\tNS ns2.example.net.\n\tDS " +
           std::to_string(1000 + (r >> 16) % 60000) +
           " 13 2 3A9C1E5B7D2F4A6C8E0B1D3F5A7C9E1B3D5F7A9C1E3B5D7F9A1C3E5B7D9F1A3C\n";
    }
  }
  return z;
}

}  // namespace zk::bench
