# Writes OUTPUT, the bash completion script, with `ZK completion` (the built zonekiln).
#   cmake -DZK=path/to/zonekiln -DOUTPUT=file -P completion.cmake
execute_process(COMMAND ${ZK} completion OUTPUT_VARIABLE script RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT script MATCHES "complete .*-F _zonekiln zonekiln")
  message(FATAL_ERROR "`${ZK} completion` failed (${rc}): ${err}")
endif()
file(WRITE ${OUTPUT} "${script}")
