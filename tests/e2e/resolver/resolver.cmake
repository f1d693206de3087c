# End-to-end resolver tests: zonekiln signs, NSD serves, unbound and delv validate.
# Included from tests/CMakeLists.txt:  include(${PROJECT_SOURCE_DIR}/tests/e2e/resolver/resolver.cmake)
# Needs nsd, unbound, dig, delv and ldnsutils (scripts/setup.sh installs them). Each test starts
# its own daemons on free high ports on 127.0.0.1 and cleans up, so they may run in parallel.
set(_zk_e2e_resolver_dir ${PROJECT_SOURCE_DIR}/tests/e2e/resolver)
foreach(_denial nsec nsec3 nsec3-optout)
  string(REPLACE "-" "_" _suffix ${_denial})
  add_test(NAME e2e_resolver_${_suffix}
           COMMAND bash ${_zk_e2e_resolver_dir}/run.sh zonekiln ${_denial})
  set_tests_properties(e2e_resolver_${_suffix} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>"
    TIMEOUT 300
    LABELS "e2e")
  # The same harness with ldns-signzone as the signer: proves the harness and the tools work,
  # so a failure of the zonekiln variant points at zonekiln.
  add_test(NAME e2e_resolver_ldns_${_suffix}
           COMMAND bash ${_zk_e2e_resolver_dir}/run.sh ldns ${_denial})
  set_tests_properties(e2e_resolver_ldns_${_suffix} PROPERTIES TIMEOUT 300 LABELS "e2e")
endforeach()
