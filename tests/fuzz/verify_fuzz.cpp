// libFuzzer target: a signed zone fed to `zonekiln verify` -> pipeline::verify_file.
// The target itself is zk::fuzz::verify_one in targets.hpp (shared with the ctest replay).
#include <tbb/global_control.h>

#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Verification is parallel; one thread makes a finding reproduce exactly.
  static tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zk::fuzz::verify_one(data, size);
}
