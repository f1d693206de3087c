#include "signer/lifecycle/ksk_pkcs11.hpp"

#include "dns/base64.hpp"
#include "signer/lifecycle/ksk.hpp"

namespace zk::signer {

Result<KeyRecord> ksk_add_pkcs11(ZoneKeyState& zone, const Policy& policy, const std::string& uri,
                                 NameView origin, uint8_t algorithm, const Pkcs11Config& config,
                                 const std::string& dir, int64_t now, RollMethod roll) {
  auto key = load_pkcs11_key(uri, config, 257, algorithm);
  if (!key) return fail(key.error());
  const auto rd = key->dnskey_rdata();
  auto r = ksk_register(zone, policy, key->tag(), key->algorithm(), uri, zk::base64_encode(rd), now,
                        roll);
  if (!r) return fail(r.error());
  // Written only once the registration is accepted, so a refused add leaves no file behind.
  auto path = write_pkcs11_descriptor(*key, origin, dir);
  if (!path) return fail(path.error());
  return *zone.find_key(key->tag(), key->algorithm());
}

}  // namespace zk::signer
