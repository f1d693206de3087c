// libFuzzer target: KSR/SKR files (offline KSK exchange) -> signer::skr_from_text.
// The target itself is zk::fuzz::skr_one in targets.hpp (shared with the ctest replay).
#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zk::fuzz::skr_one(data, size);
}
