// OpenSSL handle ownership for the signer: every handle is a unique_ptr with a stateless
// deleter (one pointer in size). This is the only file with *_free calls (STYLE.md s6).
#pragma once

#if !defined(ZK_INSIDE_SIGNER) && !defined(ZK_WHITE_BOX)
#error "signer/detail/ is private to signer/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "dns/result.hpp"

namespace zk::signer::detail {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct MdFree {
  void operator()(EVP_MD* p) const noexcept { EVP_MD_free(p); }
};
struct BnFree {
  // Clears too: BIGNUMs here often hold private exponents or scalars.
  void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }
};
struct EcGroupFree {
  void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
};
struct EcPointFree {
  void operator()(EC_POINT* p) const noexcept { EC_POINT_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
// EC_KEY is deprecated in OpenSSL 3.0 but still the fastest ECDSA signing path (see
// signer/algorithms.cpp); its deleter lives here with the others.
struct EcKeyFree {
  void operator()(EC_KEY* p) const noexcept {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EC_KEY_free(p);
#pragma GCC diagnostic pop
  }
};

// ENGINE is deprecated in OpenSSL 3.0, but Debian 12 ships PKCS#11 support only as an engine
// (libengine-pkcs11-openssl; bookworm has no pkcs11-provider), so signer/pkcs11.cpp uses it.
// EngineFree drops a structural reference (ENGINE_by_id); EngineFinishFree a functional one
// taken by a successful ENGINE_init, plus its structural one.
struct EngineFree {
  void operator()(ENGINE* p) const noexcept {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    ENGINE_free(p);
#pragma GCC diagnostic pop
  }
};
struct EngineFinishFree {
  void operator()(ENGINE* p) const noexcept {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    ENGINE_finish(p);
    ENGINE_free(p);
#pragma GCC diagnostic pop
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MdPtr = std::unique_ptr<EVP_MD, MdFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, EcGroupFree>;
using EcPointPtr = std::unique_ptr<EC_POINT, EcPointFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using EcKeyPtr = std::unique_ptr<EC_KEY, EcKeyFree>;
using EnginePtr = std::unique_ptr<ENGINE, EngineFree>;
using EngineInitPtr = std::unique_ptr<ENGINE, EngineFinishFree>;

/// Drains this thread's OpenSSL error queue into one line ("what: reason; reason").
inline std::string ossl_errors(const char* what) {
  std::string s = what;
  unsigned long e;
  bool first = true;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    s += first ? ": " : "; ";
    s += buf;
    first = false;
  }
  return s;
}

/// An Errc::Crypto error carrying the OpenSSL error queue.
inline Unexpected crypto_fail(const char* what) { return fail(Errc::Crypto, ossl_errors(what)); }

/// Zeroes a buffer that held key material (the compiler may not drop this store).
inline void cleanse(void* p, size_t n) noexcept { OPENSSL_cleanse(p, n); }

}  // namespace zk::signer::detail
