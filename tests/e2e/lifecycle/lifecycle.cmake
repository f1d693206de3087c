# Unattended-operation tests of `zonekiln sign` (scripts; exit 77 = a tool is missing: skipped).
# Included from tests/CMakeLists.txt.
set(_zk_e2e_lifecycle_dir ${PROJECT_SOURCE_DIR}/tests/e2e/lifecycle)
foreach(_script nightly_walk incremental operator_safety cwd_independence)
  add_test(NAME e2e_lifecycle_${_script}
           COMMAND bash ${_zk_e2e_lifecycle_dir}/${_script}.sh)
  set_tests_properties(e2e_lifecycle_${_script} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>"
    SKIP_RETURN_CODE 77
    TIMEOUT 300
    LABELS "e2e")
endforeach()

# Crash points and the commit order under injected write failures: these need the test build
# of the binary (zonekiln-test, ZK_TEST_HOOKS); the installed zonekiln has neither.
foreach(_script crash_safety fault_injection)
  add_test(NAME e2e_lifecycle_${_script}
           COMMAND bash ${_zk_e2e_lifecycle_dir}/${_script}.sh)
  set_tests_properties(e2e_lifecycle_${_script} PROPERTIES
    ENVIRONMENT "ZK_TEST_BINARY=$<TARGET_FILE:zonekiln-test>;ZK_BINARY=$<TARGET_FILE:zonekiln>"
    SKIP_RETURN_CODE 77
    TIMEOUT 600
    LABELS "e2e")
endforeach()

# HSM (SoftHSM2 token) and offline-KSK scripts; they exit 77 when softhsm2/opensc/ldns/bind
# tools are missing (see tests/e2e/hsm/README.md).
foreach(_script run skr_year)
  add_test(NAME e2e_hsm_${_script} COMMAND bash ${PROJECT_SOURCE_DIR}/tests/e2e/hsm/${_script}.sh)
  set_tests_properties(e2e_hsm_${_script} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>"
    SKIP_RETURN_CODE 77
    TIMEOUT 300
    LABELS "e2e")
endforeach()
