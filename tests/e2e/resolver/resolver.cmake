# End-to-end resolver tests: zonekiln signs, NSD serves, unbound and delv validate.
# Included from tests/CMakeLists.txt. Needs nsd, unbound, dig, delv and ldnsutils
# (scripts/setup.sh installs them): exit 77 (skipped) when one is missing, a failure under
# ZK_REQUIRE_TOOLS=1. Each test starts its own daemons on free high ports on 127.0.0.1 with its
# own configuration, pid and log files, and stops exactly those (by pid), so they may run in
# parallel and beside a system NSD or unbound.
set(_zk_e2e_resolver_dir ${PROJECT_SOURCE_DIR}/tests/e2e/resolver)
foreach(_denial nsec nsec3 nsec3-optout)
  string(REPLACE "-" "_" _suffix ${_denial})
  zk_shell_test(e2e_resolver_${_suffix} ${_zk_e2e_resolver_dir}/run.sh zonekiln ${_denial})
  set_tests_properties(e2e_resolver_${_suffix} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>")
  # The same harness with ldns-signzone as the signer: proves the harness and the tools work,
  # so a failure of the zonekiln variant points at zonekiln.
  zk_shell_test(e2e_resolver_ldns_${_suffix} ${_zk_e2e_resolver_dir}/run.sh ldns ${_denial})
endforeach()
