# Install rules and the Debian package. Included from the top CMakeLists.txt when ZK_INSTALL.
#
#   cmake --install build --prefix P     P/bin/zonekiln
#                                         P/share/man/man1/zonekiln*.1.gz (help2man, from --help)
#                                         P/share/man/man5/zonekiln-state.5.gz
#                                         P/share/bash-completion/completions/zonekiln
#                                         P/share/doc/zonekiln/README.md
#                                         P/share/doc/zonekiln/examples/systemd/zonekiln@.{service,timer}
#   cpack --config build/CPackConfig.cmake   zonekiln_VERSION_ARCH.deb (installs under /usr)
#
# The man pages and the completion script are made by the built zonekiln (its --help text and
# `zonekiln completion`): as build steps of `cmake --build`, and again at install time when the
# binary is newer than them (so installing after `--target zonekiln` alone works too).
include(GNUInstallDirs)

option(ZK_MAN_PAGES "Make and install man pages (needs help2man)" ON)
set(ZK_PACKAGE_CONTACT "zonekiln maintainers <zonekiln@localhost>"
    CACHE STRING "Maintainer field of the .deb; set it when you publish the package")

install(TARGETS zonekiln RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Examples, not active units: they name paths every site chooses itself, so they go where
# Debian puts examples (Policy 12.6), and nothing is enabled or started by installing.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/zonekiln@.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/zonekiln@.timer
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/systemd)

# One command line per generated artefact, used by the build step and the install-time check.
function(zk_generated name output depends)
  set(cmd ${ARGN})
  add_custom_command(OUTPUT ${output} COMMAND ${cmd} DEPENDS zonekiln ${depends}
                     COMMENT "zonekiln: ${name}" VERBATIM)
  add_custom_target(zk_${name} ALL DEPENDS ${output})
  string(REPLACE ";" "\" \"" quoted "${cmd}")
  install(CODE "
    if(NOT EXISTS \"${output}\" OR \"$<TARGET_FILE:zonekiln>\" IS_NEWER_THAN \"${output}\")
      execute_process(COMMAND \"${quoted}\" RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR \"zonekiln: making the ${name} failed (\${rc})\")
      endif()
    endif()")
endfunction()

set(zk_completion ${PROJECT_BINARY_DIR}/completion/zonekiln)
zk_generated(completion ${zk_completion} "" ${CMAKE_COMMAND} -DZK=$<TARGET_FILE:zonekiln>
             -DOUTPUT=${zk_completion} -P ${PROJECT_SOURCE_DIR}/cmake/completion.cmake)
install(FILES ${zk_completion} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

if(ZK_MAN_PAGES)
  find_program(ZK_HELP2MAN help2man)
  find_program(ZK_GZIP gzip)
  if(NOT ZK_HELP2MAN OR NOT ZK_GZIP)
    message(FATAL_ERROR "the man pages need help2man and gzip (scripts/setup.sh installs them); "
                        "or configure with -DZK_MAN_PAGES=OFF")
  endif()
  set(zk_man_dir ${PROJECT_BINARY_DIR}/man)
  zk_generated(man_pages ${zk_man_dir}/stamp
               "${PROJECT_SOURCE_DIR}/cmake/man_pages.cmake;${PROJECT_SOURCE_DIR}/packaging/man/zonekiln.h2m;${PROJECT_SOURCE_DIR}/packaging/man/zonekiln-state.5"
               ${CMAKE_COMMAND} -DZK=$<TARGET_FILE:zonekiln> -DHELP2MAN=${ZK_HELP2MAN}
               -DGZIP=${ZK_GZIP} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUT_DIR=${zk_man_dir}
               -DSTAMP=${zk_man_dir}/stamp -P ${PROJECT_SOURCE_DIR}/cmake/man_pages.cmake)
  install(DIRECTORY ${zk_man_dir}/man1 ${zk_man_dir}/man5 DESTINATION ${CMAKE_INSTALL_MANDIR}
          FILES_MATCHING PATTERN "*.gz")
endif()

# The .deb. Depends: comes from dpkg-shlibdeps on the installed binary, so it names exactly the
# shared libraries zonekiln links (libssl3, libtbb12, libfmt9, libstdc++6, libgcc-s1, libc6)
# with the versions their symbols need; build-only packages never appear there.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zonekiln)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${ZK_PACKAGE_CONTACT})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "batch DNS zone compiler and DNSSEC signer")
set(CPACK_PACKAGE_DESCRIPTION
    "zonekiln reads a DNS master file, checks it and writes a DNSSEC-signed zone plus the DS\n\
records for the parent in one run, on all cores, with incremental re-signing, automatic\n\
ZSK rollover, Prometheus metrics and clear exit codes for unattended use.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded only for keys in an HSM (PKCS#11), and the usual way to collect the metrics file.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libengine-pkcs11-openssl, prometheus-node-exporter")
include(CPack)
