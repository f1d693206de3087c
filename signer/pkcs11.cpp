// PKCS#11 keys through OpenSSL's pkcs11 ENGINE (libp11), and key-directory descriptors for them.
//
// ENGINE is deprecated in OpenSSL 3.0. It is used on purpose: Debian 12 ships PKCS#11 support
// for OpenSSL only as libengine-pkcs11-openssl (there is no pkcs11-provider package for
// bookworm). The deprecation warnings are silenced only around the ENGINE calls below.
#include "signer/pkcs11.hpp"

#include <openssl/ui.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstring>
#include <map>
#include <mutex>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "signer/detail/internal.hpp"

namespace zk::signer {

namespace detail {

/// One initialised pkcs11 engine for one PKCS#11 module. mu serialises what libp11 does not
/// make thread-safe: setting the PIN and loading keys (signing itself is locked inside libp11).
struct Pkcs11Engine {
  EngineInitPtr engine;
  std::string module;
  std::mutex mu;
};

}  // namespace detail

namespace {

using detail::Pkcs11Engine;

constexpr const char* kEngineSo = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so";

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool contains_nocase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && ascii_lower(static_cast<uint8_t>(hay[i + j])) ==
                                    ascii_lower(static_cast<uint8_t>(needle[j])))
      ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

std::string pkcs11_list_hint(const std::string& module) {
  return "list tokens and keys with: pkcs11-tool --module " + module +
         " --list-token-slots; pkcs11-tool --module " + module + " --login --list-objects";
}

// PKCS#11 modules are per process (PKCS#11 v2.40 s5.4: C_Finalize ends every session of the
// application), and libp11 calls C_Finalize when its engine is finished. Two engines on one
// module would log each other out, so every key loaded from a module shares one engine. The
// engine also stays for the life of the process: after a C_Finalize + C_Initialize cycle libp11
// 0.4.12 hands out stale object handles ("Object handle invalid" when signing). This registry
// is the one piece of process-wide state in the signer. Consequence: once a token accepted the
// PIN, later loads in the same process reuse that login.
//
// It is deliberately never destroyed: at exit, a static destructor finishing the engine would
// call C_Finalize into a module whose own static objects are already gone (SoftHSM2 is loaded
// after this registry exists, so its destructors run first) and crash the process. The OS
// closes the sessions when the process ends.
Result<std::shared_ptr<Pkcs11Engine>> engine_for(const std::string& module) {
  static std::mutex registry_mu;
  using Registry = std::map<std::string, std::shared_ptr<Pkcs11Engine>>;
  static Registry& registry = *new Registry();  // never deleted, see above
  std::lock_guard<std::mutex> lock(registry_mu);
  if (auto it = registry.find(module); it != registry.end()) return it->second;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  ERR_clear_error();
  detail::EnginePtr e(ENGINE_by_id("pkcs11"));
  if (!e) {
    // ENGINE_by_id looks in OpenSSL's engines directory; name Debian's file explicitly too.
    detail::EnginePtr dyn(ENGINE_by_id("dynamic"));
    if (dyn && ENGINE_ctrl_cmd_string(dyn.get(), "SO_PATH", kEngineSo, 0) &&
        ENGINE_ctrl_cmd_string(dyn.get(), "ID", "pkcs11", 0) &&
        ENGINE_ctrl_cmd_string(dyn.get(), "LOAD", nullptr, 0))
      e = std::move(dyn);
  }
  if (!e) {
    ERR_clear_error();
    return fail(Errc::KeyActionNeeded,
                "the OpenSSL pkcs11 engine is not installed (" + std::string(kEngineSo) +
                    "); install it with: apt install libengine-pkcs11-openssl");
  }
  // libp11 prints its own diagnostics to stderr unless told not to; ours carry the same facts.
  ENGINE_ctrl_cmd_string(e.get(), "QUIET", nullptr, 1);
  if (!ENGINE_ctrl_cmd_string(e.get(), "MODULE_PATH", module.c_str(), 0) || !ENGINE_init(e.get())) {
    const std::string why = detail::ossl_errors("pkcs11 engine");
    return fail(Errc::KeyActionNeeded, "cannot load the PKCS#11 module " + module + " (" + why +
                                           "); fix --pkcs11-module or install the module");
  }
#pragma GCC diagnostic pop
  auto eng = std::make_shared<Pkcs11Engine>();
  eng->engine.reset(e.release());  // now owns the functional reference ENGINE_init took
  eng->module = module;
  registry[module] = eng;
  return eng;
}

// Why a load failed, in the owner's terms, from libp11's error queue.
Error load_failure(std::string_view uri, const std::string& module, bool have_pin,
                   bool private_part, const std::string& why) {
  const std::string u(uri);
  if (contains_nocase(why, "PIN locked"))
    return make_error(Errc::KeyActionNeeded,
                      "the token's user PIN is locked (too many wrong PINs) for " + u +
                          "; unlock it with the token's security officer (e.g. softhsm2-util or "
                          "pkcs11-tool --init-pin --login --login-type so)");
  if (contains_nocase(why, "PIN"))
    return make_error(Errc::KeyActionNeeded,
                      "the token refused the PIN for " + u +
                          "; put the right user PIN in --pin-file or ZONEKILN_PIN (repeated "
                          "wrong PINs lock the token) [" +
                          why + "]");
  if (private_part && !have_pin)
    return make_error(Errc::KeyActionNeeded,
                      "no PIN to log in to the token for " + u +
                          "; give it with --pin-file FILE or the ZONEKILN_PIN environment "
                          "variable (never on the command line)");
  if (private_part)
    return make_error(Errc::KeyActionNeeded,
                      "the token has a public key but no usable private key for " + u +
                          " (a public-only object, or a private key with another label/id); " +
                          pkcs11_list_hint(module) + " [" + why + "]");
  return make_error(Errc::KeyActionNeeded,
                    "no key matches " + u + " in module " + module +
                        ": the token is not present (label wrong, HSM not connected, or "
                        "SOFTHSM2_CONF points elsewhere) or holds no object with that label/id; " +
                        pkcs11_list_hint(module) + " [" + why + "]");
}

// Signs through the engine; out receives what the token returns (DER for ECDSA).
Result<size_t> engine_sign(const Key::Impl& k, const uint8_t* msg, size_t len, uint8_t* out,
                           size_t cap) {
  // A fresh context per signature: EVP_DigestSignInit on a legacy (engine) key sets up a new
  // EVP_PKEY_CTX anyway, and the token round trip costs far more than the allocation.
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, k.md.get(), nullptr, k.hsm_pkey.get()) <= 0)
    return detail::crypto_fail("PKCS#11 signing setup");
  size_t n = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &n, msg, len) <= 0 || n > cap)
    return detail::crypto_fail("PKCS#11 signature size");
  if (EVP_DigestSign(ctx.get(), out, &n, msg, len) <= 0)
    return detail::crypto_fail("PKCS#11 signing");
  return n;
}

// An owned copy of the token's public key in OpenSSL's default provider, so DNSKEY export and
// verification never go through the engine.
Result<detail::PkeyPtr> native_public(EVP_PKEY* pub) {
  const int n = i2d_PUBKEY(pub, nullptr);
  if (n <= 0) return detail::crypto_fail("cannot encode the token's public key");
  std::vector<uint8_t> der(static_cast<size_t>(n));
  uint8_t* w = der.data();
  if (i2d_PUBKEY(pub, &w) != n) return detail::crypto_fail("cannot encode the token's public key");
  const uint8_t* r = der.data();
  detail::PkeyPtr out(d2i_PUBKEY_ex(nullptr, &r, n, nullptr, nullptr));
  if (!out) return detail::crypto_fail("cannot import the token's public key");
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

namespace detail {

Result<size_t> hsm_sign(const Key::Impl& k, const uint8_t* msg, size_t len, uint8_t* sig) {
  if (k.alg->kind != Kind::Ecdsa) return engine_sign(k, msg, len, sig, k.sig_size);
  uint8_t der[16 + 2 * 66];
  auto n = engine_sign(k, msg, len, der, sizeof der);
  if (!n) return fail(n.error());
  const uint8_t* p = der;
  EcdsaSigPtr es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(*n)));
  if (!es) return crypto_fail("the token returned a malformed ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(es.get(), &r, &s);
  const int fs = static_cast<int>(k.alg->field_size);
  // RFC 6605 s4: r and s as fixed-width big-endian integers, as the file-key path writes them.
  if (BN_bn2binpad(r, sig, fs) != fs || BN_bn2binpad(s, sig + fs, fs) != fs)
    return fail(Errc::Crypto, "ECDSA signature does not fit");
  return 2 * static_cast<size_t>(fs);
}

}  // namespace detail

Pkcs11Config::~Pkcs11Config() {
  if (!pin.empty()) detail::cleanse(pin.data(), pin.size());
}

Result<Pkcs11Config> make_pkcs11_config(const std::string& module, const std::string& pin_file,
                                        const char* env_pin) {
  Pkcs11Config c;
  c.module = module;
  if (!pin_file.empty()) {
    detail::SecretBytes text;
    if (auto r = detail::read_key_file(pin_file, true, text); !r) {
      Error e = r.error();
      e.detail = "PIN file: " + e.detail;
      return fail(std::move(e));
    }
    size_t n = 0;
    while (n < text.v.size() && text.v[n] != '\n' && text.v[n] != '\r') ++n;
    if (n == 0) return fail(Errc::KeyActionNeeded, "PIN file " + pin_file + " is empty");
    c.pin.assign(reinterpret_cast<const char*>(text.v.data()), n);
  } else if (env_pin && *env_pin) {
    c.pin = env_pin;
  }
  return c;
}

bool is_pkcs11_uri(std::string_view text) noexcept {
  constexpr std::string_view kScheme = "pkcs11:";
  if (text.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (ascii_lower(static_cast<uint8_t>(text[i])) != static_cast<uint8_t>(kScheme[i]))
      return false;
  return true;
}

Result<void> check_pkcs11_uri(std::string_view uri) {
  if (!is_pkcs11_uri(uri))
    return fail(Errc::Usage, "not a PKCS#11 URI (RFC 7512): " + std::string(uri) +
                                 "; expected e.g. pkcs11:token=NAME;object=LABEL");
  // RFC 7512 s2.3: path attributes separated by ';', then '?' and query attributes by '&'.
  bool object = false;
  std::string_view rest = uri.substr(7);
  while (!rest.empty()) {
    const size_t end = rest.find_first_of(";?&");
    const std::string_view attr = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    const std::string_view name = attr.substr(0, attr.find('='));
    if (name == "pin-value" || name == "pin-source")
      return fail(Errc::Usage, "the PKCS#11 URI carries a PIN (" + std::string(name) +
                                   "); remove it and give the PIN with --pin-file or "
                                   "ZONEKILN_PIN so it is not on the command line or on disk");
    if (name == "object" || name == "id") object = true;
  }
  if (!object)
    return fail(Errc::Usage, "the PKCS#11 URI " + std::string(uri) +
                                 " names no key; add object=LABEL and/or id=%XX");
  return ok();
}

namespace {

// The public and private objects the URI names, through the shared engine (under its lock:
// the PIN is set for every load).
Result<void> load_token_objects(Pkcs11Engine& eng, std::string_view uri, const Pkcs11Config& config,
                                detail::PkeyPtr& pub, detail::PkeyPtr& priv) {
  const std::string u(uri);
  std::lock_guard<std::mutex> lock(eng.mu);
  ENGINE* e = eng.engine.get();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  ERR_clear_error();
  // UI_null: never prompt on a tty (the ENGINE API takes a non-const UI_METHOD it only reads).
  UI_METHOD* no_ui = const_cast<UI_METHOD*>(UI_null());
  if (!config.pin.empty() && !ENGINE_ctrl_cmd_string(e, "PIN", config.pin.c_str(), 0))
    return fail(Errc::KeyActionNeeded, detail::ossl_errors("cannot pass the PIN to the engine"));
  pub.reset(ENGINE_load_public_key(e, u.c_str(), no_ui, nullptr));
  if (!pub) {
    const std::string why = detail::ossl_errors("pkcs11");
    return fail(load_failure(uri, config.module, !config.pin.empty(), false, why));
  }
  priv.reset(ENGINE_load_private_key(e, u.c_str(), no_ui, nullptr));
  if (!priv) {
    const std::string why = detail::ossl_errors("pkcs11");
    return fail(load_failure(uri, config.module, !config.pin.empty(), true, why));
  }
#pragma GCC diagnostic pop
  return ok();
}

// The DNSSEC algorithm of a token key (algorithm 0: the one its type implies), refused when
// the key is too weak, of another type, or of an algorithm that must not sign (RFC 8624).
Result<const detail::AlgInfo*> token_algorithm(EVP_PKEY* native, const std::string& u,
                                               uint8_t algorithm) {
  if (EVP_PKEY_is_a(native, "RSA") && EVP_PKEY_get_bits(native) < 2048)
    return fail(Errc::KeyActionNeeded,
                "token key " + u + " is RSA-" + std::to_string(EVP_PKEY_get_bits(native)) +
                    ", too weak for DNSSEC (RFC 8624 s3.1: RSA needs >= 2048 bits); make an EC "
                    "P-256 key (pkcs11-tool --keypairgen --key-type EC:prime256v1) or RSA-2048+");
  const uint8_t implied = detail::algorithm_of(native);
  if (implied == 0)
    return fail(Errc::KeyActionNeeded, "token key " + u +
                                           " is of a type DNSSEC cannot use; make an EC P-256 "
                                           "(algorithm 13), P-384 or RSA-2048+ key");
  if (algorithm == 0) algorithm = implied;
  const bool rsa_alg = algorithm == alg::RSASHA256 || algorithm == alg::RSASHA512;
  if (algorithm != implied && !(rsa_alg && implied == alg::RSASHA256))
    return fail(Errc::KeyActionNeeded, "token key " + u + " is a " + algorithm_name(implied) +
                                           " key, but algorithm " + algorithm_name(algorithm) +
                                           " was requested");
  const detail::AlgInfo* info = detail::alg_info(algorithm);
  if (!info || !info->can_sign)
    return fail(Errc::KeyActionNeeded, "algorithm " + algorithm_name(algorithm) +
                                           " must not be used for signing (RFC 8624 s3.1)");
  return info;
}

// Self-test: the token must sign with this object, and the signature must verify with the
// public key we publish (catches non-signing keys and mismatched public/private objects).
Result<void> token_self_test(const Key::Impl& k, const std::string& u) {
  uint8_t sig[1024];
  static constexpr char kMsgText[] = "zonekiln PKCS#11 self-test";
  const auto* kMsg = reinterpret_cast<const uint8_t*>(kMsgText);
  if (k.sig_size > sizeof sig)
    return fail(Errc::KeyActionNeeded, "token key " + u + " is too large (over 8192 bits)");
  auto n = engine_sign(k, kMsg, sizeof kMsgText, sig, sizeof sig);
  if (!n)
    return fail(Errc::KeyActionNeeded,
                "the token refused to sign with " + u +
                    " (not a signing key? it needs CKA_SIGN=true): " + n.error().detail);
  detail::MdCtxPtr vctx(EVP_MD_CTX_new());
  if (!vctx ||
      EVP_DigestVerifyInit_ex(vctx.get(), nullptr, k.md ? EVP_MD_get0_name(k.md.get()) : nullptr,
                              nullptr, nullptr, k.pkey.get(), nullptr) <= 0 ||
      EVP_DigestVerify(vctx.get(), sig, *n, kMsg, sizeof kMsgText) != 1) {
    ERR_clear_error();
    return fail(Errc::KeyActionNeeded,
                "the token's private and public objects for " + u +
                    " do not match (a signature does not verify); fix the object labels/ids");
  }
  return ok();
}

}  // namespace

Result<Key> load_pkcs11_key(std::string_view uri, const Pkcs11Config& config, uint16_t flags,
                            uint8_t algorithm) {
  if (auto r = check_pkcs11_uri(uri); !r) return fail(r.error());
  if (flags & ~(kFlagZone | kFlagSep | kFlagRevoke) || !(flags & kFlagZone))
    return fail(Errc::Usage,
                "DNSKEY flags must be 256 or 257 (+128 to revoke), not " + std::to_string(flags));
  const std::string& module = config.module;
  if (module.empty())
    return fail(Errc::KeyActionNeeded,
                "no PKCS#11 module found; install your HSM's module and pass --pkcs11-module");
  if (!file_exists(module))
    return fail(Errc::KeyActionNeeded,
                "the PKCS#11 module " + module + " does not exist; fix --pkcs11-module");
  auto eng = engine_for(module);
  if (!eng) return fail(eng.error());
  detail::PkeyPtr pub, priv;
  if (auto r = load_token_objects(**eng, uri, config, pub, priv); !r) return fail(r.error());

  const std::string u(uri);
  auto native = native_public(pub.get());
  if (!native) return fail(Errc::KeyActionNeeded, "token key " + u + ": " + native.error().detail);
  auto info = token_algorithm(native->get(), u, algorithm);
  if (!info) return fail(info.error());
  auto impl = detail::make_key_impl(**info, flags, std::move(*native), false, u);
  if (!impl) return fail(impl.error());
  Key::Impl& k = **impl;
  k.hsm_pkey = std::move(priv);
  if (auto t = token_self_test(k, u); !t) return fail(t.error());
  k.hsm_engine = std::move(*eng);
  k.has_private = true;
  return Key(std::shared_ptr<const Key::Impl>(std::move(*impl)));
}

Result<std::string> write_pkcs11_descriptor(const Key& key, NameView origin,
                                            const std::string& dir) {
  const Key::Impl* k = key.impl();
  if (!k || !k->hsm_pkey || !is_pkcs11_uri(k->source))
    return fail(Errc::Usage, "only PKCS#11 keys get a descriptor file");
  char num[32];
  std::snprintf(num, sizeof num, "+%03u+%05u", unsigned{k->alg->number}, unsigned{k->tag});
  const std::string zone = name_to_lower_string(origin);
  const std::string path =
      (dir.empty() ? std::string(".") : dir) + "/K" + zone + num + kPkcs11DescriptorSuffix;
  std::string text = "; zonekiln PKCS#11 key descriptor: the private key stays in the token\n";
  text += "; ";
  text += (k->flags & kFlagSep) ? "key-signing" : "zone-signing";
  text += " key, keyid " + std::to_string(k->tag) + ", for " + zone + "\n";
  text += "URI: " + k->source + "\n";
  text += "DNSKEY: " + zone + " IN DNSKEY " + std::to_string(k->flags) + " 3 " +
          std::to_string(k->alg->number) + " ";
  base64_append(text, k->dnskey.data() + 4, k->dnskey.size() - 4);
  text += "\n";
  if (auto r = zk::write_file_atomic(path, text, 0644); !r) return fail(r.error());
  return path;
}

Result<Pkcs11Descriptor> read_pkcs11_descriptor(const std::string& path, NameView origin) {
  detail::SecretBytes raw;
  if (auto r = detail::read_key_file(path, false, raw); !r) return fail(r.error());
  const std::string_view text(reinterpret_cast<const char*>(raw.v.data()), raw.v.size());
  Pkcs11Descriptor d;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line[0] == ';') continue;
    if (line.substr(0, 4) == "URI:") {
      d.uri = std::string(trim(line.substr(4)));
      continue;
    }
    if (line.substr(0, 7) != "DNSKEY:") continue;
    // "owner IN DNSKEY flags 3 alg base64"
    std::vector<std::string_view> tok;
    const std::string_view rr = trim(line.substr(7));
    for (size_t i = 0; i < rr.size();) {
      while (i < rr.size() && (rr[i] == ' ' || rr[i] == '\t')) ++i;
      size_t j = i;
      while (j < rr.size() && rr[j] != ' ' && rr[j] != '\t') ++j;
      if (j > i) tok.push_back(rr.substr(i, j - i));
      i = j;
    }
    if (tok.size() < 7 || tok[2] != "DNSKEY")
      return fail(Errc::KeyActionNeeded, "descriptor " + path + ": malformed DNSKEY line");
    Name owner;
    if (!name_from_text(tok[0], NameView{}, owner) || !name_equal(owner, origin))
      return fail(Errc::KeyActionNeeded, "descriptor " + path + " is for " + std::string(tok[0]) +
                                             ", not " + name_to_lower_string(origin));
    unsigned f[3];
    for (int i = 0; i < 3; ++i) {
      f[i] = 0;
      for (char ch : tok[3 + i]) {
        if (ch < '0' || ch > '9' || f[i] > 65535)
          return fail(Errc::KeyActionNeeded, "descriptor " + path + ": bad DNSKEY field");
        f[i] = f[i] * 10 + static_cast<unsigned>(ch - '0');
      }
    }
    if (f[0] > 65535 || f[1] != 3 || f[2] > 255)
      return fail(Errc::KeyActionNeeded, "descriptor " + path + ": bad DNSKEY flags/protocol");
    d.dnskey = {static_cast<uint8_t>(f[0] >> 8), static_cast<uint8_t>(f[0]), 3,
                static_cast<uint8_t>(f[2])};
    std::string b64;
    for (size_t i = 6; i < tok.size(); ++i) b64 += tok[i];
    if (!zk::base64_decode(b64, d.dnskey) || d.dnskey.size() < 5)
      return fail(Errc::KeyActionNeeded, "descriptor " + path + ": bad base64 public key");
  }
  if (d.uri.empty() || d.dnskey.empty())
    return fail(Errc::KeyActionNeeded,
                "descriptor " + path + " needs a URI: line and a DNSKEY: line");
  return d;
}

Result<Key> load_pkcs11_descriptor(const std::string& path, NameView origin,
                                   const Pkcs11Config& config) {
  auto d = read_pkcs11_descriptor(path, origin);
  if (!d) return fail(d.error());
  const uint16_t flags = static_cast<uint16_t>((d->dnskey[0] << 8) | d->dnskey[1]);
  auto key = load_pkcs11_key(d->uri, config, flags, d->dnskey[3]);
  if (!key) {
    Error e = std::move(key.error());
    e.detail = "key " + path + ": " + e.detail;
    return fail(std::move(e));
  }
  const auto got = key->dnskey_rdata();
  if (!std::equal(got.begin(), got.end(), d->dnskey.begin(), d->dnskey.end()))
    return fail(Errc::KeyActionNeeded, "the token key " + d->uri +
                                           " is no longer the key recorded in " + path + " (tag " +
                                           std::to_string(key->tag()) +
                                           " now); restore the token's key or "
                                           "register the new one with: zonekiln ksk add --uri");
  return key;
}

}  // namespace zk::signer
