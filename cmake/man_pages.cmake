# Writes the man pages of the built zonekiln with help2man, from the same text as --help:
# zonekiln(1), one page per subcommand (zonekiln-sign(1), ...), one per nested subcommand
# (zonekiln-ksk-add(1), ...), and zonekiln-state(5) from its hand-written source.
#   cmake -DZK=path/to/zonekiln -DHELP2MAN=path/to/help2man -DGZIP=path/to/gzip
#         -DSOURCE_DIR=... -DOUT_DIR=... -DSTAMP=file -P man_pages.cmake
# Pages are compressed with gzip -9n, as Debian installs them. Run by cmake/install.cmake after
# zonekiln is linked, and at install time when the binary is newer than STAMP.

function(zk_run out)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "man pages: `${cmd}` failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The "Subcommands:" section of a --help text: sets <prefix>_names and <prefix>_about_<name>.
function(zk_subcommands help prefix)
  string(REPLACE "\n" ";" lines "${help}")
  set(in_section FALSE)
  set(names "")
  foreach(line IN LISTS lines)
    if(line STREQUAL "Subcommands:")
      set(in_section TRUE)
    elseif(in_section AND line MATCHES "^  ([a-z0-9-]+) +(.*)$")
      list(APPEND names ${CMAKE_MATCH_1})
      set(${prefix}_about_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}" PARENT_SCOPE)
    elseif(in_section AND NOT line MATCHES "^ ")
      set(in_section FALSE)
    endif()
  endforeach()
  set(${prefix}_names "${names}" PARENT_SCOPE)
endfunction()

zk_run(version_text ${ZK} --version)
if(NOT version_text MATCHES "^zonekiln ([^ \n]+)")
  message(FATAL_ERROR "man pages: unexpected `zonekiln --version` output: ${version_text}")
endif()
set(version ${CMAKE_MATCH_1})
file(MAKE_DIRECTORY ${OUT_DIR}/man1 ${OUT_DIR}/man5)
file(GLOB old_pages ${OUT_DIR}/man1/* ${OUT_DIR}/man5/*)
if(old_pages)
  file(REMOVE ${old_pages})
endif()

# page NAME ABOUT HELP-ARGS SEE-ALSO: one help2man run.
function(zk_page name about help_args see_also)
  set(include ${OUT_DIR}/${name}.h2m)
  file(WRITE ${include} "[SEE ALSO]\n${see_also}\n")
  if(name STREQUAL "zonekiln")
    file(READ ${SOURCE_DIR}/packaging/man/zonekiln.h2m extra)
    file(APPEND ${include} "${extra}")
  endif()
  zk_run(ignored ${HELP2MAN} --no-info --no-discard-stderr
         "--version-string=${name} ${version}" "--help-option=${help_args}"
         "--name=${about}" "--include=${include}" --output=${OUT_DIR}/man1/${name}.1 ${ZK})
  file(REMOVE ${include})
endfunction()

zk_run(root_help ${ZK} --help)
zk_subcommands("${root_help}" top)
set(see_top "")
foreach(sub IN LISTS top_names)
  string(APPEND see_top ".BR zonekiln\\-${sub} (1),\n")
endforeach()
zk_page(zonekiln "DNS zone compiler and DNSSEC signer" "--help"
        "${see_top}.BR zonekiln\\-state (5),\n.BR dnssec\\-keygen (1),\n.BR ldns\\-verify\\-zone (1)")

foreach(sub IN LISTS top_names)
  zk_run(sub_help ${ZK} ${sub} --help)
  zk_subcommands("${sub_help}" nested)
  set(see ".BR zonekiln (1),\n.BR zonekiln\\-state (5)")
  foreach(leaf IN LISTS nested_names)
    string(APPEND see ",\n.BR zonekiln\\-${sub}\\-${leaf} (1)")
    zk_page(zonekiln-${sub}-${leaf} "${nested_about_${leaf}}" "${sub} ${leaf} --help"
            ".BR zonekiln\\-${sub} (1),\n.BR zonekiln (1),\n.BR zonekiln\\-state (5)")
  endforeach()
  zk_page(zonekiln-${sub} "${top_about_${sub}}" "${sub} --help" "${see}")
endforeach()

file(READ ${SOURCE_DIR}/packaging/man/zonekiln-state.5 state_page)
string(REPLACE "@ZK_VERSION@" "${version}" state_page "${state_page}")
file(WRITE ${OUT_DIR}/man5/zonekiln-state.5 "${state_page}")

file(GLOB pages ${OUT_DIR}/man1/*.1 ${OUT_DIR}/man5/*.5)
zk_run(ignored ${GZIP} -9nf ${pages})
file(WRITE ${STAMP} "${version}\n")
