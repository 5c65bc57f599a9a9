# Small project helpers.

# Generates the C++ reader/writer for a FlatBuffers schema. Debian's flatc
# 2.0.8 ships no CMake helper, so this is one custom command.
#   gantk_flatbuffers(<target> <schema.fbs>)
# defines an INTERFACE target whose include directory holds <name>_generated.h.
function(gantk_flatbuffers target schema)
  find_program(FLATC flatc REQUIRED)
  get_filename_component(name ${schema} NAME_WE)
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/schema)
  set(out ${outdir}/${name}_generated.h)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${FLATC} --cpp --scoped-enums --gen-object-api -o ${outdir} ${schema}
    DEPENDS ${schema}
    COMMENT "flatc ${name}.fbs")
  add_custom_target(${target}_gen DEPENDS ${out})
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_gen)
  target_include_directories(${target} INTERFACE ${outdir})
endfunction()
