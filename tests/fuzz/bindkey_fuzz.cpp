// libFuzzer target: BIND key pairs (K<zone>.+<alg>+<tag>.key and .private) -> signer::load_key.
// The target itself is zk::fuzz::bindkey_one in targets.hpp (shared with the ctest replay).
#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zk::fuzz::bindkey_one(data, size);
}
