# Fails when docs/metadata.md differs from what scripts/gen-spec.py writes.
set(out ${CMAKE_CURRENT_BINARY_DIR}/metadata.md.generated)
execute_process(COMMAND ${PYTHON} ${SOURCE}/scripts/gen-spec.py --spec ${SOURCE}/spec/metadata.json --markdown ${out}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen-spec.py failed")
endif()
file(READ ${out} generated)
file(READ ${SOURCE}/docs/metadata.md committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "docs/metadata.md is stale: run scripts/gen-spec.py --markdown docs/metadata.md")
endif()
