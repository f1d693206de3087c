// libFuzzer target: PEM private key files (the owner's KSK, `ksk add --file k.pem`) ->
// The target itself is zk::fuzz::pemkey_one in targets.hpp (shared with the ctest replay).
#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zk::fuzz::pemkey_one(data, size);
}
