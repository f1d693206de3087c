// Key objects: DNSKEY <-> EVP_PKEY conversion, key generation.
#include <algorithm>
#include <cstring>

#include "signer/detail/internal.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

using detail::AlgInfo;
using detail::Kind;

// --- Key ------------------------------------------------------------------------------------

Key::Key() = default;
Key::~Key() = default;
Key::Key(const Key&) = default;
Key& Key::operator=(const Key&) = default;
Key::Key(Key&&) noexcept = default;
Key& Key::operator=(Key&&) noexcept = default;
Key::Key(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

uint8_t Key::algorithm() const noexcept { return impl_ ? impl_->alg->number : 0; }
uint16_t Key::flags() const noexcept { return impl_ ? impl_->flags : 0; }
uint16_t Key::tag() const noexcept { return impl_ ? impl_->tag : 0; }
std::span<const uint8_t> Key::dnskey_rdata() const noexcept {
  if (!impl_) return {};
  return impl_->dnskey;
}
bool Key::has_private() const noexcept { return impl_ && impl_->has_private; }
const std::string& Key::source() const noexcept {
  static const std::string kEmpty;
  return impl_ ? impl_->source : kEmpty;
}
size_t Key::signature_size() const noexcept { return impl_ ? impl_->sig_size : 0; }
unsigned Key::bits() const noexcept { return impl_ ? impl_->bits : 0; }

size_t max_rrsig_rdata_len(const Key& key) noexcept {
  return 18 + kMaxNameLen + key.signature_size();
}

namespace detail {

namespace {

Result<std::vector<uint8_t>> bn_param(EVP_PKEY* pkey, const char* name, size_t pad) {
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(pkey, name, &raw)) return crypto_fail("cannot read key parameter");
  BnPtr bn(raw);
  const size_t n = pad ? pad : static_cast<size_t>(BN_num_bytes(bn.get()));
  std::vector<uint8_t> out(n);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(n)) < 0)
    return fail(Errc::Crypto, "key parameter too large");
  return out;
}

}  // namespace

Result<PkeyPtr> pkey_fromdata(const char* type, int selection, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return crypto_fail("cannot build key parameters");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return crypto_fail("cannot import key");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) <= 0)
    return crypto_fail("cannot import key");
  return PkeyPtr(raw);
}

Result<std::vector<uint8_t>> public_key_wire(const AlgInfo& alg, EVP_PKEY* pkey) {
  switch (alg.kind) {
    case Kind::Rsa: {
      // RFC 3110 s2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus.
      auto e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
      if (!e) return fail(e.error());
      auto n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
      if (!n) return fail(n.error());
      std::vector<uint8_t> w;
      if (e->size() <= 255) {
        w.push_back(static_cast<uint8_t>(e->size()));
      } else {
        w.push_back(0);
        w.push_back(static_cast<uint8_t>(e->size() >> 8));
        w.push_back(static_cast<uint8_t>(e->size()));
      }
      w.insert(w.end(), e->begin(), e->end());
      w.insert(w.end(), n->begin(), n->end());
      return w;
    }
    case Kind::Ecdsa: {
      // RFC 6605 s4: x | y, each padded to the field size.
      auto x = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, alg.field_size);
      if (!x) return fail(x.error());
      auto y = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, alg.field_size);
      if (!y) return fail(y.error());
      x->insert(x->end(), y->begin(), y->end());
      return std::move(*x);
    }
    case Kind::EdDsa: {
      std::vector<uint8_t> w(alg.field_size);
      size_t len = w.size();
      if (!EVP_PKEY_get_raw_public_key(pkey, w.data(), &len) || len != alg.field_size)
        return crypto_fail("cannot read EdDSA public key");
      return w;
    }
    case Kind::Unsupported:
      break;
  }
  return fail(Errc::Usage, std::string("algorithm ") + alg.name + " is not supported");
}

Result<PkeyPtr> pkey_from_public_wire(const AlgInfo& alg, std::span<const uint8_t> w) {
  switch (alg.kind) {
    case Kind::Rsa: {
      if (w.size() < 3) return fail(Errc::BadRdata, "RSA public key too short");
      size_t elen = w[0], off = 1;
      if (elen == 0) {
        elen = (size_t{w[1]} << 8) | w[2];
        off = 3;
      }
      if (elen == 0 || off + elen >= w.size())
        return fail(Errc::BadRdata, "RSA public key: bad exponent length");
      BnPtr e(BN_bin2bn(w.data() + off, static_cast<int>(elen), nullptr));
      BnPtr n(BN_bin2bn(w.data() + off + elen, static_cast<int>(w.size() - off - elen), nullptr));
      ParamBldPtr bld(OSSL_PARAM_BLD_new());
      if (!e || !n || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
          !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
        return crypto_fail("cannot build RSA key");
      return pkey_fromdata("RSA", EVP_PKEY_PUBLIC_KEY, bld.get());
    }
    case Kind::Ecdsa: {
      if (w.size() != 2 * alg.field_size) return fail(Errc::BadRdata, "ECDSA public key length");
      uint8_t point[1 + 2 * 48];
      point[0] = 0x04;  // uncompressed point (SEC 1 s2.3.3)
      std::memcpy(point + 1, w.data(), w.size());
      ParamBldPtr bld(OSSL_PARAM_BLD_new());
      if (!bld ||
          !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, alg.group, 0) ||
          !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point,
                                            1 + w.size()))
        return crypto_fail("cannot build ECDSA key");
      return pkey_fromdata("EC", EVP_PKEY_PUBLIC_KEY, bld.get());
    }
    case Kind::EdDsa: {
      if (w.size() != alg.field_size) return fail(Errc::BadRdata, "EdDSA public key length");
      EVP_PKEY* raw =
          EVP_PKEY_new_raw_public_key_ex(nullptr, alg.group, nullptr, w.data(), w.size());
      if (!raw) return crypto_fail("cannot build EdDSA key");
      return PkeyPtr(raw);
    }
    case Kind::Unsupported:
      break;
  }
  return fail(Errc::Usage, std::string("algorithm ") + alg.name + " is not supported");
}

Result<Key> make_key(const AlgInfo& alg, uint16_t flags, PkeyPtr pkey, bool has_private,
                     std::string source, std::span<const uint8_t> dnskey) {
  auto impl = make_key_impl(alg, flags, std::move(pkey), has_private, std::move(source), dnskey);
  if (!impl) return fail(impl.error());
  return Key(std::shared_ptr<const Key::Impl>(std::move(*impl)));
}

Result<std::shared_ptr<Key::Impl>> make_key_impl(const AlgInfo& alg, uint16_t flags, PkeyPtr pkey,
                                                 bool has_private, std::string source,
                                                 std::span<const uint8_t> dnskey) {
  auto impl = std::make_shared<Key::Impl>();
  impl->alg = &alg;
  impl->flags = flags;
  if (!dnskey.empty()) {
    impl->dnskey.assign(dnskey.begin(), dnskey.end());
  } else {
    auto wire = public_key_wire(alg, pkey.get());
    if (!wire) return fail(wire.error());
    impl->dnskey.reserve(4 + wire->size());
    impl->dnskey.push_back(static_cast<uint8_t>(flags >> 8));
    impl->dnskey.push_back(static_cast<uint8_t>(flags));
    impl->dnskey.push_back(3);  // RFC 4034 s2.1.2: protocol is always 3
    impl->dnskey.push_back(alg.number);
    impl->dnskey.insert(impl->dnskey.end(), wire->begin(), wire->end());
  }
  impl->tag = compute_key_tag(impl->dnskey);
  impl->source = std::move(source);
  impl->bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey.get()));
  impl->has_private = has_private;
  switch (alg.kind) {
    case Kind::Rsa:
      impl->sig_size = static_cast<size_t>(EVP_PKEY_get_size(pkey.get()));
      break;
    case Kind::Ecdsa:
      impl->sig_size = 2 * alg.field_size;  // RFC 6605 s4: r | s
      break;
    case Kind::EdDsa:
      impl->sig_size = 2 * alg.field_size;  // RFC 8080 s4: 64 (Ed25519) / 114 (Ed448)
      break;
    case Kind::Unsupported:
      return fail(Errc::Usage, std::string("algorithm ") + alg.name + " is not supported");
  }
  if (alg.md_name) {
    // Fetched once per key: OpenSSL 3's implicit fetch on every digest init is a measurable cost.
    impl->md.reset(EVP_MD_fetch(nullptr, alg.md_name, nullptr));
    if (!impl->md) return crypto_fail("cannot fetch digest");
  }
  if (alg.number == alg::ECDSAP256SHA256 && has_private) {
    // P-256 only: ECDSA_do_sign on a legacy EC_KEY skips the provider dispatch and the DER
    // round trip of EVP_PKEY_sign, which at ~14 us per signature is a few percent (see
    // rrsig.cpp and bench/sign_bench.cpp); for P-384 (~500 us) it is noise, so P-384 keeps
    // the EVP path. get1 returns a legacy copy we own a reference to; it is only read
    // afterwards, from any thread.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    impl->ec.reset(EVP_PKEY_get1_EC_KEY(pkey.get()));
#pragma GCC diagnostic pop
    if (!impl->ec) return crypto_fail("cannot get EC key");
  }
  impl->pkey = std::move(pkey);
  return impl;
}

}  // namespace detail

Result<Key> key_from_dnskey(std::span<const uint8_t> rdata) {
  if (rdata.size() < 5) return fail(Errc::BadRdata, "DNSKEY RDATA too short");
  const uint16_t flags = static_cast<uint16_t>((rdata[0] << 8) | rdata[1]);
  if (rdata[2] != 3) return fail(Errc::BadRdata, "DNSKEY protocol is not 3 (RFC 4034 s2.1.2)");
  const AlgInfo* alg = detail::alg_info(rdata[3]);
  if (!alg || !alg->can_verify)
    return fail(Errc::Usage, "DNSKEY algorithm " + algorithm_name(rdata[3]) +
                                 " is not supported for verification");
  auto pkey = detail::pkey_from_public_wire(*alg, rdata.subspan(4));
  if (!pkey) return fail(pkey.error());
  // Keep the RDATA exactly as given (e.g. an RSA exponent in the long length form).
  return detail::make_key(*alg, flags, std::move(*pkey), false, "DNSKEY", rdata);
}

Result<Key> generate_key(uint8_t algorithm, bool ksk, unsigned bits, bool allow_deprecated) {
  const AlgInfo* alg = detail::alg_info(algorithm);
  if (!alg || !alg->can_sign)
    return fail(Errc::Usage, "algorithm " + algorithm_name(algorithm) +
                                 " must not be used for signing (RFC 8624 s3.1); use "
                                 "ECDSAP256SHA256 (13), ED25519 (15) or RSASHA256 (8)");
  if (alg->deprecated && !allow_deprecated) {
    return fail(Errc::Usage, deprecated_algorithm_refusal(algorithm));
  }
  detail::PkeyCtxPtr ctx;
  switch (alg->kind) {
    case Kind::Rsa:
      if (bits == 0) bits = 2048;
      if (bits < 2048 || bits > 4096)
        return fail(Errc::Usage,
                    "RSA key size must be 2048..4096 bits, not " + std::to_string(bits));
      ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
      if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
          EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) <= 0)
        return detail::crypto_fail("RSA key generation setup");
      break;
    case Kind::Ecdsa:
      ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
      if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
          EVP_PKEY_CTX_set_group_name(ctx.get(), alg->group) <= 0)
        return detail::crypto_fail("ECDSA key generation setup");
      break;
    case Kind::EdDsa:
      ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, alg->group, nullptr));
      if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0)
        return detail::crypto_fail("EdDSA key generation setup");
      break;
    case Kind::Unsupported:
      return fail(Errc::Usage, "algorithm " + algorithm_name(algorithm) + " is not supported");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) return detail::crypto_fail("key generation");
  const uint16_t flags = kFlagZone | (ksk ? kFlagSep : 0);
  return detail::make_key(*alg, flags, detail::PkeyPtr(raw), true, "generated");
}

Result<Key> generate_unique_key(uint8_t algorithm, bool ksk, unsigned bits, NameView origin,
                                const std::string& dir, bool allow_deprecated) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto key = generate_key(algorithm, ksk, bits, allow_deprecated);
    if (!key || !key_files_exist(*key, origin, dir)) return key;
  }
  return fail(Errc::Internal, "every new key's tag collided with a key in " + dir);
}

}  // namespace zk::signer
