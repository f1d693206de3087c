# The spilled compile (issue 14): same output as the in-memory compile, nothing left behind.
# Included from tests/CMakeLists.txt.
zk_shell_test(e2e_spill_compile ${PROJECT_SOURCE_DIR}/tests/e2e/spill/spill_compile.sh)
set_tests_properties(e2e_spill_compile PROPERTIES
  ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>;ZK_TEST_BINARY=$<TARGET_FILE:zonekiln-test>")
# The spilled sign: same output, reuse, plan and changes as the in-memory sign.
zk_shell_test(e2e_spill_sign ${PROJECT_SOURCE_DIR}/tests/e2e/spill/spill_sign.sh)
set_tests_properties(e2e_spill_sign PROPERTIES
  ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>;ZK_TEST_BINARY=$<TARGET_FILE:zonekiln-test>")
