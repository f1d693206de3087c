// zk::signer: DNSSEC keys, DNSKEY/DS/CDS records and RRSIGs (OpenSSL 3 inside; no OpenSSL
// type appears in this header).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"

namespace zk::signer {

namespace alg {
inline constexpr uint8_t RSAMD5 = 1, DSA = 3, RSASHA1 = 5, DSA_NSEC3_SHA1 = 6,
                         RSASHA1_NSEC3_SHA1 = 7, RSASHA256 = 8, RSASHA512 = 10, ECC_GOST = 12,
                         ECDSAP256SHA256 = 13, ECDSAP384SHA384 = 14, ED25519 = 15, ED448 = 16;
}
namespace digest {
inline constexpr uint8_t SHA1 = 1, SHA256 = 2, GOST = 3, SHA384 = 4;
}

/// Algorithm number from an RFC mnemonic ("ECDSAP256SHA256", case-insensitive) or a number.
Result<uint8_t> algorithm_from_text(std::string_view text);
/// Mnemonic for an algorithm number ("ECDSAP256SHA256"), or the number as text.
std::string algorithm_name(uint8_t algorithm);
/// True for the algorithms zonekiln signs with: 8, 10, 13, 14, 15, 16 (RFC 8624 s3.1 MUST and
/// RECOMMENDED), and with allow_deprecated also RSASHA1 (5) and RSASHA1-NSEC3-SHA1 (7), which
/// RFC 8624 calls NOT RECOMMENDED (not MUST NOT) for signing.
bool algorithm_can_sign(uint8_t algorithm, bool allow_deprecated = false) noexcept;
/// True for 5 and 7: they sign only when asked to (--allow-deprecated-algorithm).
bool algorithm_deprecated(uint8_t algorithm) noexcept;
/// The refusal for a deprecated algorithm without the request; it names the flag.
std::string deprecated_algorithm_refusal(uint8_t algorithm);
/// True for the algorithms zonekiln can verify (the above plus 5 and 7 for old zones).
bool algorithm_can_verify(uint8_t algorithm) noexcept;
/// True for every DNSSEC algorithm number zonekiln knows (signs, verifies or names).
bool algorithm_known(uint8_t algorithm) noexcept;

/// RFC 4034 Appendix B key tag of DNSKEY RDATA (algorithm 1 handled specially).
uint16_t compute_key_tag(std::span<const uint8_t> dnskey_rdata) noexcept;

inline constexpr uint16_t kFlagZone = 0x0100, kFlagSep = 0x0001, kFlagRevoke = 0x0080;

/// BIND key timing metadata (unix seconds; absent = not set). Kept so files round-trip.
struct KeyTiming {
  std::optional<int64_t> created, publish, activate, inactive, remove, revoke, sync_publish,
      sync_delete;
};

/// A DNSSEC key: the DNSKEY RDATA and, when available, the private key. Immutable once loaded;
/// copies share the same key material; safe to use from many threads at once.
class Key {
 public:
  Key();
  ~Key();
  Key(const Key&);
  Key& operator=(const Key&);
  Key(Key&&) noexcept;
  Key& operator=(Key&&) noexcept;

  uint8_t algorithm() const noexcept;
  uint16_t flags() const noexcept;
  uint16_t tag() const noexcept;
  bool is_ksk() const noexcept { return (flags() & kFlagSep) != 0; }
  bool is_revoked() const noexcept { return (flags() & kFlagRevoke) != 0; }
  /// DNSKEY RDATA in wire form (flags, protocol 3, algorithm, public key).
  std::span<const uint8_t> dnskey_rdata() const noexcept;
  bool has_private() const noexcept;
  /// Where it came from: key file path (without .key/.private), PEM path, or PKCS#11 URI.
  const std::string& source() const noexcept;
  /// Length in octets of the signature field of this key's RRSIGs.
  size_t signature_size() const noexcept;
  /// Key size in bits (RSA modulus, curve size). Keys are loaded down to 512-bit RSA so old
  /// material and RFC 5702 vectors work; callers warn below 2048 (generate_key refuses it).
  unsigned bits() const noexcept;
  KeyTiming timing;

  struct Impl;
  const Impl* impl() const noexcept { return impl_.get(); }
  explicit Key(std::shared_ptr<const Impl> impl);

 private:
  std::shared_ptr<const Impl> impl_;
};

/// Reads a key. path may name a BIND key pair (K<zone>.+<alg>+<tag>, with or without the
/// .key/.private suffix), a PEM private key (PKCS#8 as written by `openssl genpkey`; then
/// algorithm and flags are needed: pem_algorithm and pem_flags), a PKCS#11 key descriptor
/// (.pkcs11) or a PKCS#11 URI (pem_flags/pem_algorithm apply; the token is reached with the
/// default module and the PIN in ZONEKILN_PIN; use load_pkcs11_key to choose them). The DNSKEY
/// owner must equal origin when the .key file names one. Errc::KeyActionNeeded when a file is
/// missing, unreadable, too openly readable (private part not 0600/0400... mode
/// group/other-readable), or public and private parts do not match; Errc::Usage for bad arguments.
/// Details: pem_algorithm 0 takes the algorithm from the key type (RSA -> RSASHA256, P-256 ->
/// 13, P-384 -> 14, Ed25519 -> 15, Ed448 -> 16). Keys of algorithms RFC 8624 forbids for
/// signing (1, 3, 6, 12) -> Errc::KeyActionNeeded (verify-only use: key_from_dnskey). RSASHA1
/// (5, 7) BIND keys load: whether they may sign is the caller's algorithm_can_sign decision.
/// RSA keys below 2048 bits still load (old keys, RFC 5702 vectors); see Key::bits(). BIND
/// timing metadata is returned in Key::timing. Encrypted PEM files are refused, never prompted
/// for. The private key bytes are read into buffers that are cleansed afterwards and never
/// appear in error messages. A PKCS#11 URI or key descriptor is loaded from its token with
/// pkcs11 (the caller's module and PIN: library code reads no environment); without one it is
/// Errc::KeyActionNeeded naming what to give.
struct Pkcs11Config;  // signer/pkcs11.hpp
Result<Key> load_key(const std::string& path, NameView origin, uint8_t pem_algorithm = 0,
                     uint16_t pem_flags = 257, const Pkcs11Config* pkcs11 = nullptr);

/// Every key pair K<origin>.+*+*.private in dir whose .key names origin, and every PKCS#11 key
/// descriptor K<origin>.+*+*.pkcs11 (signer/pkcs11.hpp), loaded from its token with pkcs11
/// (nullptr: token keys are not loaded, and each descriptor is reported to errors). Problems
/// with single keys are reported to errors (one each) and the key is skipped.
Result<std::vector<Key>> load_key_dir(const std::string& dir, NameView origin,
                                      std::vector<Error>* errors = nullptr,
                                      const Pkcs11Config* pkcs11 = nullptr);

/// Makes a new key pair. bits is for RSA only (2048..4096; 0 = 2048). Errc::Usage for an
/// algorithm that may not sign (RFC 8624; 5 and 7 only with allow_deprecated) or a bad size.
/// timing is left empty; write_key_files fills in Created/Publish/Activate.
Result<Key> generate_key(uint8_t algorithm, bool ksk, unsigned bits = 0,
                         bool allow_deprecated = false);

/// Writes K<origin>.+AAA+TTTTT.key and .private (mode 0600) into dir, atomically (temp + rename).
/// Returns the base path (dir/K...). The files are readable by BIND's dnssec-* tools.
/// key.timing is written as BIND v1.3 metadata; an unset Created becomes now, and when neither
/// Publish nor Activate is set both become now (dnssec-keygen's default). The .key is 0644.
/// Errc::Io when the directory is not writable; Errc::Usage for a key without private part.
/// Never replaces another key's files: Errc::Usage when files of that name hold a different key
/// (same algorithm and tag); callers generate another key (generate_unique_key). The same key's
/// files are rewritten (timing metadata).
Result<std::string> write_key_files(const Key& key, NameView origin, const std::string& dir,
                                    int64_t now);

/// dir/K<origin>.+AAA+TTTTT: the base path of key's files in dir.
std::string key_file_base(const Key& key, NameView origin, const std::string& dir);
/// True when dir already holds key_file_base(key, ...).key or .private.
bool key_files_exist(const Key& key, NameView origin, const std::string& dir);

/// generate_key until its files would not collide with a key already in dir (at most 16
/// tries; a collision is a 1 in 65536 chance per existing key).
Result<Key> generate_unique_key(uint8_t algorithm, bool ksk, unsigned bits, NameView origin,
                                const std::string& dir, bool allow_deprecated = false);

/// DS RDATA (RFC 4034 s5.1) for a DNSKEY at owner, with digest type 1, 2 or 4.
Result<std::vector<uint8_t>> ds_rdata(NameView owner, std::span<const uint8_t> dnskey_rdata,
                                      uint8_t digest_type);

/// Parameters of one RRSIG.
struct RrsigParams {
  NameView signer;         // the zone apex (lowercase)
  uint32_t inception = 0;  // seconds since epoch, serial-number arithmetic (RFC 4034 s3.1.5)
  uint32_t expiration = 0;
  uint32_t original_ttl = 0;
};

/// Upper bound of the RRSIG RDATA length a key makes (18 + 255 + signature_size()).
size_t max_rrsig_rdata_len(const Key& key) noexcept;

/// Per-thread signing and verification state: OpenSSL contexts and the signing-input buffer,
/// created once and reused (no allocation per signature once warm). Not thread-safe: one per
/// thread (e.g. in tbb::enumerable_thread_specific).
class SignContext {
 public:
  SignContext();
  ~SignContext();
  SignContext(SignContext&&) noexcept;
  SignContext& operator=(SignContext&&) noexcept;
  SignContext(const SignContext&) = delete;
  SignContext& operator=(const SignContext&) = delete;

  /// Writes the RRSIG RDATA for rrset into out (room for max_rrsig_rdata_len(key)) and returns its
  /// length. rrset: the RRs of one RRset (same owner and type), in canonical order, without
  /// duplicates, RDATA already canonical (as the ZoneStore holds them). The labels field and the
  /// signed owner follow RFC 4034 s3.1.3 / RFC 4035 s5.3.2 (wildcards). Errc::Crypto on failure
  /// (with the OpenSSL error text).
  Result<size_t> sign(const Key& key, const RrsigParams& params, std::span<const RR> rrset,
                      uint8_t* out);

  /// Verifies RRSIG RDATA over rrset with key (time validity NOT checked here; the caller
  /// compares inception/expiration with its clock). Returns false on a bad signature, also when
  /// the RRSIG's algorithm, key tag or type covered do not match key and rrset; Errc::Crypto
  /// for an unusable key. Owners with more labels than the RRSIG's labels field are verified
  /// as wildcard expansions (RFC 4035 s5.3.2).
  Result<bool> verify(const Key& key, std::span<const RR> rrset,
                      std::span<const uint8_t> rrsig_rdata);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// A Key holding only a public DNSKEY (for verification), from DNSKEY RDATA. Accepts every
/// algorithm algorithm_can_verify() allows (including RSASHA1 5/7); Errc::Usage otherwise,
/// Errc::BadRdata for a malformed public key.
Result<Key> key_from_dnskey(std::span<const uint8_t> dnskey_rdata);

}  // namespace zk::signer
