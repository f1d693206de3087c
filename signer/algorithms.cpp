// The DNSSEC algorithm table (RFC 8624 s3.1) and the key tag.
#include <cctype>
#include <charconv>

#include "signer/detail/internal.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

namespace detail {
namespace {

// RFC 8624 s3.1: 1, 3, 6 and 12 MUST NOT be used for signing; 5 and 7 are NOT RECOMMENDED for
// signing (not MUST NOT): they sign only on request (algorithm_can_sign's allow_deprecated),
// for an operator who must keep a zone signed until a roll to another algorithm completes, and
// are always validated. GOST and DSA are not verified either (OpenSSL 3 has no GOST, DSA with
// SHA-1 is gone from DNSSEC deployments).
constexpr AlgInfo kAlgs[] = {
    {alg::RSAMD5, "RSAMD5", Kind::Unsupported, nullptr, nullptr, 0, false, false},
    {alg::DSA, "DSA", Kind::Unsupported, nullptr, nullptr, 0, false, false},
    {alg::RSASHA1, "RSASHA1", Kind::Rsa, "SHA1", nullptr, 0, true, true, true},
    {alg::DSA_NSEC3_SHA1, "DSA-NSEC3-SHA1", Kind::Unsupported, nullptr, nullptr, 0, false, false},
    {alg::RSASHA1_NSEC3_SHA1, "RSASHA1-NSEC3-SHA1", Kind::Rsa, "SHA1", nullptr, 0, true, true,
     true},
    {alg::RSASHA256, "RSASHA256", Kind::Rsa, "SHA256", nullptr, 0, true, true},
    {alg::RSASHA512, "RSASHA512", Kind::Rsa, "SHA512", nullptr, 0, true, true},
    {alg::ECC_GOST, "ECC-GOST", Kind::Unsupported, nullptr, nullptr, 0, false, false},
    {alg::ECDSAP256SHA256, "ECDSAP256SHA256", Kind::Ecdsa, "SHA256", "prime256v1", 32, true, true},
    {alg::ECDSAP384SHA384, "ECDSAP384SHA384", Kind::Ecdsa, "SHA384", "secp384r1", 48, true, true},
    {alg::ED25519, "ED25519", Kind::EdDsa, nullptr, "ED25519", 32, true, true},
    {alg::ED448, "ED448", Kind::EdDsa, nullptr, "ED448", 57, true, true},
};

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

const AlgInfo* alg_info(uint8_t algorithm) noexcept {
  for (const AlgInfo& a : kAlgs) {
    if (a.number == algorithm) return &a;
  }
  return nullptr;
}

}  // namespace detail

uint16_t compute_key_tag(std::span<const uint8_t> rdata) noexcept {
  // RFC 4034 Appendix B.1: algorithm 1 uses the low 16 bits of the modulus.
  if (rdata.size() >= 4 && rdata[3] == alg::RSAMD5) {
    if (rdata.size() < 7) return 0;
    return static_cast<uint16_t>((rdata[rdata.size() - 3] << 8) | rdata[rdata.size() - 2]);
  }
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) ac += (i & 1) ? rdata[i] : uint32_t{rdata[i]} << 8;
  ac += (ac >> 16) & 0xFFFF;
  return static_cast<uint16_t>(ac & 0xFFFF);
}

bool algorithm_known(uint8_t algorithm) noexcept { return detail::alg_info(algorithm) != nullptr; }

Result<uint8_t> algorithm_from_text(std::string_view text) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v > 255)
      return fail(Errc::Usage, "bad algorithm number '" + std::string(text) + "'");
    return static_cast<uint8_t>(v);
  }
  for (const detail::AlgInfo& a : detail::kAlgs) {
    if (detail::iequal(text, a.name)) return a.number;
  }
  // Common spellings seen in BIND and ldns tools.
  if (detail::iequal(text, "ECDSA256") || detail::iequal(text, "P256")) return alg::ECDSAP256SHA256;
  if (detail::iequal(text, "ECDSA384") || detail::iequal(text, "P384")) return alg::ECDSAP384SHA384;
  if (detail::iequal(text, "NSEC3RSASHA1")) return alg::RSASHA1_NSEC3_SHA1;
  return fail(Errc::Usage, "unknown DNSSEC algorithm '" + std::string(text) + "'");
}

std::string algorithm_name(uint8_t algorithm) {
  if (const detail::AlgInfo* a = detail::alg_info(algorithm)) return a->name;
  return std::to_string(algorithm);
}

bool algorithm_can_sign(uint8_t algorithm, bool allow_deprecated) noexcept {
  const detail::AlgInfo* a = detail::alg_info(algorithm);
  return a && a->can_sign && (!a->deprecated || allow_deprecated);
}

bool algorithm_deprecated(uint8_t algorithm) noexcept {
  const detail::AlgInfo* a = detail::alg_info(algorithm);
  return a && a->deprecated;
}

std::string deprecated_algorithm_refusal(uint8_t algorithm) {
  return "algorithm " + algorithm_name(algorithm) + " (" + std::to_string(algorithm) +
         ") is NOT RECOMMENDED for signing (RFC 8624 s3.1); zonekiln signs with it only when "
         "given --allow-deprecated-algorithm (e.g. to keep the zone signed until a roll to "
         "ECDSAP256SHA256 (13) or ED25519 (15) completes)";
}

bool algorithm_can_verify(uint8_t algorithm) noexcept {
  const detail::AlgInfo* a = detail::alg_info(algorithm);
  return a && a->can_verify;
}

}  // namespace zk::signer
