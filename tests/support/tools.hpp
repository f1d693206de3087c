// Tests that need an installed tool (a peer validator or signer): a missing tool is a failure
// when ZK_REQUIRE_TOOLS=1 (CI) and a visible skip otherwise, never a pass.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <initializer_list>
#include <string>

namespace zk::test {

/// ctest reports a test whose output has this marker as skipped (SKIP_REGULAR_EXPRESSION in
/// tests/CMakeLists.txt).
inline constexpr const char* kSkipMarker = "zk-skipped:";

/// True when every tool is on PATH. Otherwise the test fails under ZK_REQUIRE_TOOLS=1, or
/// prints the skip marker; the caller must then return before checking anything else, so that
/// a skip never hides a failure.
inline bool need_tools(std::initializer_list<const char*> tools) {
  std::string missing;
  for (const char* t : tools) {
    const std::string cmd = std::string("command -v ") + t + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) missing += std::string(missing.empty() ? "" : ", ") + t;
  }
  if (missing.empty()) return true;
  const char* require = std::getenv("ZK_REQUIRE_TOOLS");
  if (require != nullptr && std::string(require) == "1") {
    FAIL("ZK_REQUIRE_TOOLS=1 and not installed: " << missing);
  }
  WARN(kSkipMarker << " not installed: " << missing);
  return false;
}

}  // namespace zk::test
