// DS RDATA (RFC 4034 s5.1.4, RFC 4509, RFC 6605 s6.2).
#include "signer/detail/internal.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

Result<std::vector<uint8_t>> ds_rdata(NameView owner, std::span<const uint8_t> dnskey,
                                      uint8_t digest_type) {
  const char* md_name = nullptr;
  switch (digest_type) {
    case digest::SHA1:
      md_name = "SHA1";
      break;
    case digest::SHA256:
      md_name = "SHA256";
      break;
    case digest::SHA384:
      md_name = "SHA384";
      break;
    default:
      return fail(Errc::Usage, "DS digest type " + std::to_string(digest_type) +
                                   " is not supported (use 2 = SHA-256, 4 = SHA-384 or 1 = SHA-1)");
  }
  if (dnskey.size() < 5 || owner.len == 0 || owner.len > kMaxNameLen)
    return fail(Errc::BadRdata, "bad DNSKEY RDATA or owner for DS");

  // digest = hash(owner in canonical (lowercase) form | DNSKEY RDATA)
  Name lower(owner);
  lower.to_lower();
  detail::MdPtr md(EVP_MD_fetch(nullptr, md_name, nullptr));
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned dlen = 0;
  if (!md || !ctx || !EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr) ||
      !EVP_DigestUpdate(ctx.get(), lower.data(), lower.size()) ||
      !EVP_DigestUpdate(ctx.get(), dnskey.data(), dnskey.size()) ||
      !EVP_DigestFinal_ex(ctx.get(), digest, &dlen))
    return detail::crypto_fail("DS digest");

  const uint16_t tag = compute_key_tag(dnskey);
  std::vector<uint8_t> out;
  out.reserve(4 + dlen);
  out.push_back(static_cast<uint8_t>(tag >> 8));
  out.push_back(static_cast<uint8_t>(tag));
  out.push_back(dnskey[3]);
  out.push_back(digest_type);
  out.insert(out.end(), digest, digest + dlen);
  return out;
}

}  // namespace zk::signer
