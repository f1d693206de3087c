# Unattended-operation tests of `zonekiln sign` (scripts; exit 77 = a tool is missing: skipped,
# or a failure under ZK_REQUIRE_TOOLS=1). Included from tests/CMakeLists.txt.
set(_zk_e2e_lifecycle_dir ${PROJECT_SOURCE_DIR}/tests/e2e/lifecycle)
foreach(_script nightly_walk incremental previous_stream fast_unchanged operator_safety
                cwd_independence)
  zk_shell_test(e2e_lifecycle_${_script} ${_zk_e2e_lifecycle_dir}/${_script}.sh)
  set_tests_properties(e2e_lifecycle_${_script} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>")
endforeach()
# Sixty nights on a 5000-name zone; ldns-verify-zone on a sample of the nights' outputs (every
# sixth night, and the nights around the outage), zonekiln's own verification on all of them.
# bench/renewal_bench.sh runs the same at 100k names.
add_test(NAME e2e_lifecycle_renewal_spread
         COMMAND bash ${_zk_e2e_lifecycle_dir}/renewal_spread.sh)
set_tests_properties(e2e_lifecycle_renewal_spread PROPERTIES
  ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>;ZK_SIM_VERIFY_EVERY=6"
  SKIP_RETURN_CODE 77
  TIMEOUT 1800
  LABELS "e2e")

# Crash points and the commit order under injected write failures: these need the test build
# of the binary (zonekiln-test, ZK_TEST_HOOKS); the installed zonekiln has neither, and
# crash_safety.sh checks that it ignores ZK_TEST_KILL_AT.
foreach(_script crash_safety fault_injection)
  zk_shell_test(e2e_lifecycle_${_script} ${_zk_e2e_lifecycle_dir}/${_script}.sh)
  set_tests_properties(e2e_lifecycle_${_script} PROPERTIES
    ENVIRONMENT "ZK_TEST_BINARY=$<TARGET_FILE:zonekiln-test>;ZK_BINARY=$<TARGET_FILE:zonekiln>")
endforeach()

# HSM (SoftHSM2 token) and offline-KSK scripts (see tests/e2e/hsm/README.md).
foreach(_script run skr_year)
  zk_shell_test(e2e_hsm_${_script} ${PROJECT_SOURCE_DIR}/tests/e2e/hsm/${_script}.sh)
  set_tests_properties(e2e_hsm_${_script} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>")
endforeach()

# Issue 16's proof of the algorithm rollover (RFC 6781 s4.1.4, conservative order): twelve
# simulated nights from RSASHA256 to ECDSAP256SHA256, each night's output checked by
# ldns-verify-zone, dnssec-verify and kzonecheck and resolved by unbound from NSD with the DS set
# the parent has that night (tests/e2e/lib/dns_daemons.sh, shared with tests/e2e/resolver).
zk_shell_test(e2e_algorithm_rollover ${_zk_e2e_lifecycle_dir}/algorithm_rollover.sh)
set_tests_properties(e2e_algorithm_rollover PROPERTIES
  ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>")
