# Many zones in one run, with make, and as a Slurm array job (tests/e2e/many_zones; exit 77 =
# a tool is missing: skipped). Included from tests/CMakeLists.txt.
set(_zk_e2e_many_dir ${PROJECT_SOURCE_DIR}/tests/e2e/many_zones)
foreach(_script one_run make_example slurm_array)
  add_test(NAME e2e_many_zones_${_script} COMMAND bash ${_zk_e2e_many_dir}/${_script}.sh)
  set_tests_properties(e2e_many_zones_${_script} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>"
    SKIP_RETURN_CODE 77
    TIMEOUT 900
    LABELS "e2e")
endforeach()
