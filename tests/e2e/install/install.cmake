# Installation and embedding. Included from tests/CMakeLists.txt.
#   install_tree:        `cmake --install` into a temp prefix: binary, --version, man pages,
#                        bash completion, example systemd units; no test-only code installed.
#   cmake_subdirectory:  zonekiln added to a tiny outer project with add_subdirectory builds
#                        and links there, with its tests and benches off.
set(_zk_install_dir ${PROJECT_SOURCE_DIR}/tests/e2e/install)
zk_shell_test(install_tree ${_zk_install_dir}/install_tree.sh ${PROJECT_BINARY_DIR})
set_tests_properties(install_tree PROPERTIES ENVIRONMENT "ZK_VERSION=${PROJECT_VERSION}")
zk_shell_test(cmake_subdirectory ${_zk_install_dir}/subdirectory.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(cmake_subdirectory PROPERTIES
  ENVIRONMENT "CMAKE_GENERATOR=${CMAKE_GENERATOR};ZK_CXX_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}")
