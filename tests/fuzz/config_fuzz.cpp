// libFuzzer target: the configuration file (zonekiln.toml) -> config::parse_config.
// The target itself is zk::fuzz::config_one in targets.hpp (shared with the ctest replay).
#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zk::fuzz::config_one(data, size);
}
