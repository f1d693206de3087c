// NSEC3 owner hashing (RFC 5155 s5) and base32hex (RFC 4648 s7).
#include <openssl/evp.h>

#include <cassert>

#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

Nsec3Hash nsec3_hash(NameView name, const std::vector<uint8_t>& salt, uint16_t iterations) {
  // Input is at most 255 + 255 octets (name or digest, then salt).
  uint8_t buf[kMaxNameLen + 255];
  Nsec3Hash out{};
  unsigned int len = 0;
  std::memcpy(buf, name.data, name.len);
  if (!salt.empty()) std::memcpy(buf + name.len, salt.data(), salt.size());
  int ok = EVP_Digest(buf, name.len + salt.size(), out.data(), &len, EVP_sha1(), nullptr);
  for (uint16_t i = 0; i < iterations && ok; ++i) {
    std::memcpy(buf, out.data(), kNsec3HashLen);
    if (!salt.empty()) std::memcpy(buf + kNsec3HashLen, salt.data(), salt.size());
    ok = EVP_Digest(buf, kNsec3HashLen + salt.size(), out.data(), &len, EVP_sha1(), nullptr);
  }
  assert(ok && len == kNsec3HashLen && "SHA-1 is always available in OpenSSL's default provider");
  return out;
}

std::string base32hex(const uint8_t* data, size_t len) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  out.reserve((len * 8 + 4) / 5);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    acc = (acc << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (5 - bits)) & 31];
  return out;
}

}  // namespace zk::pipeline
