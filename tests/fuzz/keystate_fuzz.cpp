// libFuzzer target: the key state file (zonekiln-state.json) -> signer::state_from_json.
// The target itself is zk::fuzz::keystate_one in targets.hpp (shared with the ctest replay).
#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zk::fuzz::keystate_one(data, size);
}
