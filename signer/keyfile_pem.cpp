// PEM private keys (`openssl genpkey` output, PKCS#8): the zone owner's own KSK, kept outside
// BIND's key directory.
#include <openssl/pem.h>

#include "signer/detail/internal.hpp"

namespace zk::signer::detail {

namespace {

int no_password(char*, int, int, void*) { return -1; }

}  // namespace

// The DNSSEC algorithm a key type implies (ECDSA by curve; RSA defaults to RSASHA256).
uint8_t algorithm_of(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) return alg::RSASHA256;
  if (EVP_PKEY_is_a(pkey, "ED25519")) return alg::ED25519;
  if (EVP_PKEY_is_a(pkey, "ED448")) return alg::ED448;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        &len))
      return 0;
    const std::string_view g(group, len);
    if (g == "prime256v1" || g == "P-256" || g == "secp256r1") return alg::ECDSAP256SHA256;
    if (g == "secp384r1" || g == "P-384") return alg::ECDSAP384SHA384;
  }
  return 0;
}

Result<Key> load_pem_key(const std::string& path, uint8_t algorithm, uint16_t flags) {
  SecretBytes text;
  if (auto r = read_key_file(path, true, text); !r) return fail(r.error());
  // OpenSSL refuses an empty memory BIO as an error of its own; an empty file is a damaged key.
  if (text.v.empty()) {
    return fail(Errc::KeyActionNeeded,
                "PEM key file " + path + " is empty; restore the owner's key from backup");
  }
  BioPtr bio(BIO_new_mem_buf(text.v.data(), static_cast<int>(text.v.size())));
  if (!bio) return crypto_fail("PEM read");
  // A callback that supplies no password: OpenSSL's default one would prompt on the terminal,
  // and a batch signer must not wait for input. Encrypted keys fail with a clear message.
  PkeyPtr pkey(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, no_password, nullptr, nullptr, nullptr));
  if (!pkey) {
    const std::string why = ossl_errors("openssl");
    return fail(
        Errc::KeyActionNeeded,
        "cannot read PEM private key " + path +
            " (expected an unencrypted PKCS#8 key as written by openssl genpkey; decrypt it "
            "first if it is encrypted; " +
            why + ")");
  }
  const uint8_t implied = algorithm_of(pkey.get());
  if (implied == 0)
    return fail(Errc::KeyActionNeeded, "PEM key " + path +
                                           " is of a type DNSSEC cannot use (need RSA, P-256, "
                                           "P-384, Ed25519 or Ed448)");
  if (algorithm == 0) algorithm = implied;
  const bool rsa_alg = algorithm == alg::RSASHA256 || algorithm == alg::RSASHA512;
  if (algorithm != implied && !(rsa_alg && implied == alg::RSASHA256))
    return fail(Errc::KeyActionNeeded, "PEM key " + path + " is a " + algorithm_name(implied) +
                                           " key, but algorithm " + algorithm_name(algorithm) +
                                           " was requested");
  const AlgInfo* info = alg_info(algorithm);
  if (!info || !info->can_sign)
    return fail(Errc::Usage, "algorithm " + algorithm_name(algorithm) +
                                 " must not be used for signing (RFC 8624 s3.1)");
  if (flags & ~(kFlagZone | kFlagSep | kFlagRevoke) || !(flags & kFlagZone))
    return fail(Errc::Usage,
                "DNSKEY flags must be 256 or 257 (+128 to revoke), not " + std::to_string(flags));
  auto key = make_key(*info, flags, std::move(pkey), true, path);
  if (!key && key.error().code == Errc::Crypto) {
    // OpenSSL read the file but cannot use the key in it: a damaged key, the owner's to fix.
    return fail(Errc::KeyActionNeeded, "PEM key " + path + " cannot be used (" +
                                           key.error().detail + "); restore it from backup");
  }
  return key;
}

}  // namespace zk::signer::detail
