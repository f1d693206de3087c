# The hostile-input suite (tests/hostile/README.md): one ctest per row of CASES.tsv, each run by
# run.sh under a memory and a time limit. Included from tests/CMakeLists.txt; adding a row to
# CASES.tsv re-runs the configure step and adds its test.
set(_zk_hostile_dir ${PROJECT_SOURCE_DIR}/tests/hostile)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_zk_hostile_dir}/CASES.tsv)
execute_process(COMMAND bash ${_zk_hostile_dir}/run.sh --list
                OUTPUT_VARIABLE _zk_hostile_names RESULT_VARIABLE _zk_hostile_rc)
if(NOT _zk_hostile_rc EQUAL 0)
  message(FATAL_ERROR "tests/hostile/CASES.tsv cannot be read (run.sh --list failed)")
endif()
string(REGEX REPLACE "\n$" "" _zk_hostile_names "${_zk_hostile_names}")
string(REPLACE "\n" ";" _zk_hostile_names "${_zk_hostile_names}")

add_test(NAME hostile_cases_wellformed COMMAND bash ${_zk_hostile_dir}/run.sh --check)
set_tests_properties(hostile_cases_wellformed PROPERTIES LABELS "hostile")
foreach(_name IN LISTS _zk_hostile_names)
  add_test(NAME hostile_${_name} COMMAND bash ${_zk_hostile_dir}/run.sh ${_name})
  # The driver limits each run (ulimit -v, timeout 120 s); this is the backstop.
  set_tests_properties(hostile_${_name} PROPERTIES
    ENVIRONMENT "ZK_BINARY=$<TARGET_FILE:zonekiln>"
    TIMEOUT 300
    LABELS "hostile")
endforeach()
