// Signer internals shared by the signer's .cpp files: the algorithm table, Key::Impl, the
// DNSKEY <-> EVP_PKEY conversions and small codecs. Included only from inside signer/.
#pragma once

#if !defined(ZK_INSIDE_SIGNER) && !defined(ZK_WHITE_BOX)
#error "signer/detail/ is private to signer/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "signer/detail/ossl.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

namespace detail {

enum class Kind : uint8_t { Rsa, Ecdsa, EdDsa, Unsupported };

/// What zonekiln knows about one DNSSEC algorithm number.
struct AlgInfo {
  uint8_t number;
  const char* name;  // RFC mnemonic
  Kind kind;
  const char* md_name;  // digest for RSA/ECDSA (nullptr for EdDSA)
  const char* group;    // ECDSA curve / EdDSA key type ("ED25519"), nullptr for RSA
  size_t field_size;    // ECDSA coordinate / EdDSA key octets; 0 for RSA
  bool can_sign;        // the crypto layer makes signatures with it
  bool can_verify;
  bool deprecated = false;  // RFC 8624 s3.1 NOT RECOMMENDED for signing (5, 7): by request only
};

/// nullptr for an algorithm zonekiln does not know at all.
const AlgInfo* alg_info(uint8_t algorithm) noexcept;

/// The DNSKEY public-key field for pkey (RFC 3110 for RSA, RFC 6605 x|y for ECDSA, RFC 8080 raw).
Result<std::vector<uint8_t>> public_key_wire(const AlgInfo& alg, EVP_PKEY* pkey);

/// An EVP_PKEY holding only the public key from a DNSKEY public-key field.
Result<PkeyPtr> pkey_from_public_wire(const AlgInfo& alg, std::span<const uint8_t> wire);

/// Builds a Key around pkey: DNSKEY RDATA (derived from pkey unless given), tag, fetched
/// digest, fast-path handles.
Result<Key> make_key(const AlgInfo& alg, uint16_t flags, PkeyPtr pkey, bool has_private,
                     std::string source, std::span<const uint8_t> dnskey = {});

/// EVP_PKEY_fromdata for a key type ("RSA", "EC") from built parameters.
Result<PkeyPtr> pkey_fromdata(const char* type, int selection, OSSL_PARAM_BLD* bld);

// --- key material and files ----------------------------------------------------------------

/// Bytes that held key material: zeroed (OPENSSL_cleanse) when destroyed.
struct SecretBytes {
  std::vector<uint8_t> v;
  SecretBytes() = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() {
    if (v.capacity()) cleanse(v.data(), v.capacity());
  }
};

/// Reads a whole key file into out (sized once, so no stray copies are left behind). With
/// is_private, refuses files that group or other may read or anyone else may write.
/// Errc::KeyActionNeeded for a missing, unreadable or too open file.
Result<void> read_key_file(const std::string& path, bool is_private, SecretBytes& out);

/// A PEM (PKCS#8 or traditional) private key as a Key. algorithm 0 = from the key type.
Result<Key> load_pem_key(const std::string& path, uint8_t algorithm, uint16_t flags);

/// The DNSSEC algorithm a key type implies (ECDSA by curve; RSA -> RSASHA256); 0 when none.
uint8_t algorithm_of(EVP_PKEY* pkey);

/// The pkcs11 ENGINE of one PKCS#11 module, shared by every key loaded through it (pkcs11.cpp).
struct Pkcs11Engine;

}  // namespace detail

struct Key::Impl {
  const detail::AlgInfo* alg = nullptr;
  uint16_t flags = 0;
  uint16_t tag = 0;
  std::vector<uint8_t> dnskey;  // RDATA
  std::string source;
  size_t sig_size = 0;
  unsigned bits = 0;
  bool has_private = false;
  detail::PkeyPtr pkey;  // public, or private + public
  detail::MdPtr md;      // fetched once (RSA, ECDSA); nullptr for EdDSA
  detail::EcKeyPtr ec;   // P-256 private keys: the low-level signing handle (see rrsig.cpp)
  // PKCS#11 keys: pkey is the token's public key (re-imported, provider-native, for the DNSKEY
  // and verification); hsm_pkey is the engine's handle that signs inside the token. The engine
  // is declared first so it outlives hsm_pkey.
  std::shared_ptr<detail::Pkcs11Engine> hsm_engine;
  detail::PkeyPtr hsm_pkey;
};

namespace detail {

/// make_key without the final freeze, so a caller (pkcs11.cpp) can attach more handles.
Result<std::shared_ptr<Key::Impl>> make_key_impl(const AlgInfo& alg, uint16_t flags, PkeyPtr pkey,
                                                 bool has_private, std::string source,
                                                 std::span<const uint8_t> dnskey = {});

/// Signs msg (the RRSIG signing input) with a token key through its engine (EVP_DigestSign)
/// into sig (room for k.sig_size); returns the signature length. ECDSA signatures come back
/// as r|s (RFC 6605 s4). Errc::Crypto with the token's error text on failure.
Result<size_t> hsm_sign(const Key::Impl& k, const uint8_t* msg, size_t len, uint8_t* sig);

}  // namespace detail

}  // namespace zk::signer
