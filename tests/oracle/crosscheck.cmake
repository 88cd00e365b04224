# Runs the C reference with a dump, then the PyTorch oracle's cross-check on it:
#   cmake -DAXON=... -DPYTHON=... -DORACLE=.../torch_ref.py -DMODEL=DIR
#         -DPROMPT=FILE -DPRECISION=fp32|w8spike -DDUMP=DIR -P crosscheck.cmake
# The oracle also compares the sparsity statistics of `axon ref --json` with
# its own. Fails when either command fails; prints the oracle's summary.
file(REMOVE_RECURSE ${DUMP})
execute_process(COMMAND ${AXON} ref ${MODEL} --prompt-file ${PROMPT} --precision ${PRECISION} --device cpu
                        --dump ${DUMP} --json
                RESULT_VARIABLE rc OUTPUT_FILE ${DUMP}.json ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(READ ${DUMP}.json out)
  message(FATAL_ERROR "axon ref failed (exit ${rc})\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT EXISTS ${DUMP}/manifest.json)
  message(FATAL_ERROR "axon ref wrote no ${DUMP}/manifest.json\nstderr:\n${err}")
endif()
execute_process(COMMAND ${PYTHON} ${ORACLE} --check-dump ${DUMP} --model ${MODEL}
                        --ref-json ${DUMP}.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "oracle cross-check failed (exit ${rc})")
endif()
