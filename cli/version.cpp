// `zonekiln --version` and `zonekiln version`. OpenSSL and oneTBB are shared libraries, so the
// versions printed are those loaded at run time (a security update of libssl3 shows here
// without a rebuild); Boost is used through its headers only, so its version is the one
// zonekiln was built with.
#include <fmt/format.h>
#include <oneapi/tbb/version.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include <boost/version.hpp>

#include "cli/commands.hpp"
#include "zk_revision.h"  // generated at build time: ZK_VERSION, ZK_GIT_REVISION

namespace zk::cli {

std::string version_text() {
  return fmt::format(
      "zonekiln {} (git {}){}\n"
      "OpenSSL {} (run time; built with {})\n"
      "oneTBB {} (run time; built with {})\n"
      "Boost {}.{}.{} (headers, build time)",
      ZK_VERSION, ZK_GIT_REVISION, build_variant(), OpenSSL_version(OPENSSL_VERSION_STRING),
      OPENSSL_FULL_VERSION_STR, TBB_runtime_version(), TBB_VERSION_STRING, BOOST_VERSION / 100000,
      BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100);
}

}  // namespace zk::cli
