// Tests that need an installed tool (a peer validator or signer, SoftHSM, ...): a missing tool
// is a failure when ZK_REQUIRE_TOOLS=1 (CI) and a visible skip otherwise, never a pass.
//
// At the top of a TEST_CASE, either
//   ZK_NEED_TOOLS("ldns-verify-zone", "dnssec-verify");                 // returns when missing
// or
//   if (!zk::test::need_tools({"ldns-verify-zone", "dnssec-verify"})) return;
// A skip prints kSkipMarker, which ctest reports as skipped (SKIP_REGULAR_EXPRESSION in
// tests/CMakeLists.txt). Debian 12 ships Catch2 2.13, which has no SKIP(); this is its stand-in.
// A name with a '/' is a file that must exist and be readable (a PKCS#11 module, an OpenSSL
// engine); any other name is a program looked up in PATH.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

namespace zk::test {

/// ctest reports a test whose output has this marker as skipped (SKIP_REGULAR_EXPRESSION in
/// tests/CMakeLists.txt).
inline constexpr const char* kSkipMarker = "zk-skipped:";

/// True when `tool` (a program in PATH, or a file path) can be used.
inline bool tool_present(std::string_view tool) {
  if (tool.find('/') != std::string_view::npos) {
    return ::access(std::string(tool).c_str(), R_OK) == 0;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + std::string(tool);
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

/// The tools of the list that are missing, comma-separated; empty when all are there.
inline std::string missing_tools(std::initializer_list<const char*> tools) {
  std::string missing;
  for (const char* t : tools) {
    if (tool_present(t)) continue;
    if (!missing.empty()) missing += ", ";
    missing += t;
  }
  return missing;
}

/// True when every tool is there. Otherwise the test fails under ZK_REQUIRE_TOOLS=1, or
/// prints the skip marker; the caller must then return before checking anything else, so that
/// a skip never hides a failure.
inline bool need_tools(std::initializer_list<const char*> tools) {
  const std::string missing = missing_tools(tools);
  if (missing.empty()) return true;
  const char* require = std::getenv("ZK_REQUIRE_TOOLS");
  if (require != nullptr && std::string(require) == "1") {
    FAIL("ZK_REQUIRE_TOOLS=1 and not installed: " << missing << " (scripts/setup.sh installs it)");
  }
  WARN(kSkipMarker << " not installed: " << missing << " (scripts/setup.sh installs it)");
  return false;
}

}  // namespace zk::test

/// Ends the current test case unless every tool is there (see need_tools).
#define ZK_NEED_TOOLS(...) \
  if (!::zk::test::need_tools({__VA_ARGS__})) return
