// zk::signer PKCS#11: keys that live in an HSM or token, named by RFC 7512 URIs
// ("pkcs11:token=zk;object=ksk;id=%01"). zonekiln never sees the private key: it signs through
// OpenSSL's pkcs11 ENGINE (Debian's libengine-pkcs11-openssl, i.e. libp11) and takes the DNSKEY
// from the public key read from the token. No OpenSSL type appears in this header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

/// The environment variable the CLI reads the user PIN from (never from the command line).
inline constexpr const char* kPinEnvVar = "ZONEKILN_PIN";
/// Suffix of the key-directory descriptor of a token key (see write_pkcs11_descriptor).
inline constexpr const char* kPkcs11DescriptorSuffix = ".pkcs11";

/// How to reach the token: the PKCS#11 module and the user PIN. The PIN is wiped when the
/// config is destroyed. Copyable (each copy wipes its own PIN).
struct Pkcs11Config {
  std::string module;  // the module's path (the CLI picks a default: cli/lifecycle_args.cpp)
  std::string pin;     // empty: no PIN (loading a private key then fails with KeyActionNeeded)

  Pkcs11Config() = default;
  Pkcs11Config(const Pkcs11Config&) = default;
  Pkcs11Config& operator=(const Pkcs11Config&) = default;
  ~Pkcs11Config();
};

/// Builds the config the CLI passes on: module as given (empty = default), the PIN from the
/// first line of pin_file when given (the file must not be readable by group or other), else
/// env_pin (the value of ZONEKILN_PIN, nullptr when unset). Errc::KeyActionNeeded when the PIN
/// file cannot be read or is too open.
Result<Pkcs11Config> make_pkcs11_config(const std::string& module, const std::string& pin_file,
                                        const char* env_pin);

/// True when text starts with "pkcs11:" (RFC 7512 s2.3 scheme, case-insensitive).
bool is_pkcs11_uri(std::string_view text) noexcept;

/// Checks a URI before use: the "pkcs11:" scheme, a token or an object (label "object=" or
/// "id="), and no "pin-value"/"pin-source" attribute (the PIN must not be on the command line
/// or in key files). Errc::Usage saying what to change.
Result<void> check_pkcs11_uri(std::string_view uri);

/// Loads the key uri names through the pkcs11 engine, logging in with config.pin. flags: 257
/// (KSK) or 256 (ZSK). algorithm 0 = from the key: EC P-256 -> 13, P-384 -> 14, RSA -> 8
/// (10 may be asked for), Ed25519 -> 15. The key signs once at load (a self-test verified with
/// the token's public key), so a key that cannot sign fails here, not in the middle of a run.
///
/// The Key's source is uri, has_private() is true and SignContext::sign signs through the token
/// (EVP_DigestSign; ECDSA DER converted to r|s). Keys share one engine per module, kept until
/// the process exits: PKCS#11 modules are process-wide (C_Finalize ends every session of the
/// process), so once a token accepted a PIN, later loads from it in the same process reuse that
/// login. Thread-safe.
///
/// Errc::KeyActionNeeded, saying what the owner must fix, when: the engine or module is not
/// installed, no token/object matches the URI, the PIN is missing, wrong or locked, the object
/// has no private key or refuses to sign, the key type cannot make DNSSEC signatures (RSA under
/// 2048 bits, an unsupported curve) or does not match algorithm. Errc::Usage for a bad URI.
Result<Key> load_pkcs11_key(std::string_view uri, const Pkcs11Config& config, uint16_t flags,
                            uint8_t algorithm = 0);

/// Writes DIR/K<origin>.+AAA+TTTTT.pkcs11 (mode 0644, atomically): the key's URI and its
/// DNSKEY, so load_key_dir finds a token key next to BIND key files. Format:
///   ; zonekiln PKCS#11 key descriptor: the private key stays in the token
///   URI: pkcs11:token=zk;object=ksk;id=%01
///   DNSKEY: example.com. IN DNSKEY 257 3 13 <base64>
/// Returns the path. Errc::Usage for a key that is not a token key; Errc::Io on write errors.
Result<std::string> write_pkcs11_descriptor(const Key& key, NameView origin,
                                            const std::string& dir);

/// What a descriptor file says.
struct Pkcs11Descriptor {
  std::string uri;
  std::vector<uint8_t> dnskey;  // RDATA
};
/// Reads a descriptor; Errc::KeyActionNeeded for a missing or malformed file.
Result<Pkcs11Descriptor> read_pkcs11_descriptor(const std::string& path, NameView origin);

/// Loads the key a descriptor names (flags and algorithm from its DNSKEY). Errc::KeyActionNeeded
/// as load_pkcs11_key, and when the token's key no longer matches the recorded DNSKEY.
Result<Key> load_pkcs11_descriptor(const std::string& path, NameView origin,
                                   const Pkcs11Config& config);

}  // namespace zk::signer
