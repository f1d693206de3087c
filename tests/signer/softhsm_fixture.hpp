// Test-only: private SoftHSM2 tokens in a temp dir (their own SOFTHSM2_CONF), keys made with
// pkcs11-tool. A test starts with ZK_NEED_SOFTHSM() (a skip, or a failure under
// ZK_REQUIRE_TOOLS=1, when a tool is missing) and then requires `available`: with the tools
// present, making the tokens must work.
//
// One set of tokens per test process (softhsm_tokens()): the signer keeps a PKCS#11 module
// initialised for the life of the process (signer/pkcs11.cpp), and SoftHSM reads SOFTHSM2_CONF
// only when initialised, so every token and key is made before the first load:
//   token "zk"   (user PIN 1234): EC P-256 "ksk" id 01, "ksk2" id 04, RSA-1024 "weak" id 02,
//                                 "public-only" id 03 (private half deleted), "mismatch" id 08
//                                 (private and public objects of two different key pairs)
//   token "spare" (user PIN 1234): EC P-256 "ksk" id 01; never logged in with the right PIN
//                                 before the wrong-PIN checks (a login is reused process-wide)
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "signer/pkcs11.hpp"
#include "tests/signer/signer_test_util.hpp"
#include "tests/support/tools.hpp"

namespace zk::test {
using namespace zk::signer_test;

/// What the SoftHSM tests need: the token tools, the module and the OpenSSL pkcs11 engine
/// (libengine-pkcs11-openssl; signer/pkcs11.cpp loads it from the same path).
#define ZK_NEED_SOFTHSM()                                                                     \
  ZK_NEED_TOOLS("softhsm2-util", "pkcs11-tool", "openssl", "/usr/lib/softhsm/libsofthsm2.so", \
                "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so")

struct SoftHsm {
  TempDir dir;
  std::string conf;
  std::string old_conf;
  bool had_conf = false;
  bool available = false;
  static constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";

  /// Initialises token `label` with user PIN 1234 and SO PIN 5678.
  SoftHsm(const SoftHsm&) = delete;
  SoftHsm& operator=(const SoftHsm&) = delete;
  explicit SoftHsm(const std::string& label) {
    if (!missing_tools({"softhsm2-util", "pkcs11-tool", "openssl", kModule}).empty()) return;
    const std::string tokens = dir.path + "/tokens";
    std::filesystem::create_directories(tokens);
    conf = dir.path + "/softhsm2.conf";
    std::ofstream(conf) << "directories.tokendir = " << tokens
                        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    if (const char* c = std::getenv("SOFTHSM2_CONF")) {
      had_conf = true;
      old_conf = c;
    }
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    available =
        run("softhsm2-util --init-token --free --label " + label + " --pin 1234 --so-pin 5678");
  }
  ~SoftHsm() {
    if (had_conf)
      ::setenv("SOFTHSM2_CONF", old_conf.c_str(), 1);
    else
      ::unsetenv("SOFTHSM2_CONF");
  }
  bool run(const std::string& cmd) const {
    const std::string full = cmd + " >" + dir.path + "/tool.log 2>&1";
    return std::system(full.c_str()) == 0;
  }
  /// A key pair on the token: key_type as pkcs11-tool spells it ("EC:prime256v1", "rsa:1024").
  bool keygen(const std::string& key_type, const std::string& label, const std::string& id,
              const std::string& token = "zk") const {
    return run(std::string("pkcs11-tool --module ") + kModule + " --token-label " + token +
               " --login --pin 1234 --keypairgen --key-type " + key_type + " --label " + label +
               " --id " + id);
  }
  /// "mismatch" id 08 on token zk: the private key of one EC key pair and the public key of
  /// another under the same label and id (what a botched import leaves behind).
  bool write_mismatched_pair() const {
    const std::string a = dir.path + "/a.der", b = dir.path + "/b.der", pub = dir.path + "/p.der";
    const std::string write = std::string("pkcs11-tool --module ") + kModule +
                              " --token-label zk --login --pin 1234 --label mismatch --id 08";
    return run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER "
               "-out " +
               a) &&
           run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER "
               "-out " +
               b) &&
           run("openssl pkey -inform DER -in " + b + " -pubout -outform DER -out " + pub) &&
           run(write + " --write-object " + a + " --type privkey") &&
           run(write + " --write-object " + pub + " --type pubkey");
  }
  signer::Pkcs11Config config(const std::string& pin = "1234") const {
    signer::Pkcs11Config c;
    c.module = kModule;
    c.pin = pin;
    return c;
  }
};

/// The process's tokens (see the top of this file), made on first use.
inline SoftHsm& softhsm_tokens() {
  static SoftHsm hsm("zk");
  static const bool made = [] {
    hsm.available =
        hsm.available &&
        hsm.run("softhsm2-util --init-token --free --label spare --pin 1234 --so-pin 5678") &&
        hsm.keygen("EC:prime256v1", "ksk", "01") && hsm.keygen("EC:prime256v1", "ksk2", "04") &&
        hsm.keygen("rsa:1024", "weak", "02") && hsm.keygen("EC:prime256v1", "public-only", "03") &&
        hsm.run(std::string("pkcs11-tool --module ") + SoftHsm::kModule +
                " --token-label zk --login --pin 1234 --delete-object --type privkey "
                "--label public-only") &&
        hsm.keygen("EC:prime256v1", "ksk", "01", "spare") && hsm.write_mismatched_pair();
    return true;
  }();
  (void)made;
  return hsm;
}

}  // namespace zk::test
