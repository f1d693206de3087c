// `ksk add --uri`: registering the owner's KSK that lives in an HSM (PKCS#11) with the key state
// of zk-lifecycle (signer/lifecycle/keystate.hpp, signer/lifecycle/ksk.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/pkcs11.hpp"

namespace zk::signer {

/// Loads the token key uri names as a KSK (flags 257; algorithm 0 = from the key), records it
/// INACTIVE in zone with the URI as its source (ksk_register's rules apply), and writes the
/// descriptor DIR/K<origin>.+AAA+TTTTT.pkcs11 (write_pkcs11_descriptor) so load_key_dir finds it
/// as well. The private key never leaves the token; nothing secret is written. Errors as
/// load_pkcs11_key (KeyActionNeeded) and ksk_register (Usage).
Result<KeyRecord> ksk_add_pkcs11(ZoneKeyState& zone, const Policy& policy, const std::string& uri,
                                 NameView origin, uint8_t algorithm, const Pkcs11Config& config,
                                 const std::string& dir, int64_t now,
                                 RollMethod roll = RollMethod::DoubleDs);

}  // namespace zk::signer
