# Runs the C reference with a dump, then the PyTorch oracle's cross-check on it:
#   cmake -DAXON=... -DPYTHON=... -DORACLE=.../torch_ref.py -DMODEL=DIR
#         -DPROMPT=FILE -DPRECISION=fp32|w8spike [-DK=3] [-DENCODING=bitwise]
#         [-DSPIKE=released] [-DSTEPS=T] -DDUMP=DIR -P crosscheck.cmake
# The run options are given to both sides: `axon ref` runs with them, and the
# oracle checks that the dump's manifest records them and the prompt's bytes as
# its tokens (a run that misread its options or its prompt would otherwise be
# recomputed as misread). STEPS empty means adaptive. The oracle also compares
# the sparsity statistics of `axon ref --json` with its own. Fails when either
# command fails; prints the oracle's summary.
if(NOT DEFINED K)
  set(K 3)
endif()
if(NOT DEFINED ENCODING)
  set(ENCODING bitwise)
endif()
if(NOT DEFINED SPIKE)
  set(SPIKE released)
endif()
set(ref_steps "")
set(oracle_steps --steps adaptive)
if(DEFINED STEPS AND NOT STEPS STREQUAL "")
  set(ref_steps --steps ${STEPS})
  set(oracle_steps --steps ${STEPS})
endif()
set(options --precision ${PRECISION} --k ${K} --encoding ${ENCODING} --spike ${SPIKE})

file(REMOVE_RECURSE ${DUMP})
execute_process(COMMAND ${AXON} ref ${MODEL} --prompt-file ${PROMPT} ${options} ${ref_steps}
                        --device cpu --dump ${DUMP} --json
                RESULT_VARIABLE rc OUTPUT_FILE ${DUMP}.json ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(READ ${DUMP}.json out)
  message(FATAL_ERROR "axon ref failed (exit ${rc})\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT EXISTS ${DUMP}/manifest.json)
  message(FATAL_ERROR "axon ref wrote no ${DUMP}/manifest.json\nstderr:\n${err}")
endif()
execute_process(COMMAND ${PYTHON} ${ORACLE} --check-dump ${DUMP} --model ${MODEL}
                        --ref-json ${DUMP}.json --prompt-file ${PROMPT} ${options} ${oracle_steps}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "oracle cross-check failed (exit ${rc})")
endif()
