# vectra_boot_bundle(OUTPUT <file> [PROGRAMS <target>...] [FILES <name>=<file>...])
# Packs programs into a boot bundle (docs/boot_bundle.md) with the host tool vectra-bundle, as
# the target boot-bundle (part of the default build). PROGRAMS are executable targets of this
# build, each named by its target name; FILES are prebuilt files with explicit names. Entries
# keep the order given. The userland builds pass OUTPUT = VECTRA_BOOT_BUNDLE_OUTPUT, which the
# host build sets to <build>/user/boot-bundle-<arch>.img (the path QEMU is given as -initrd).
#
# The tool: the host build's vectra-bundle target when this runs in the host build, otherwise
# VECTRA_BUNDLE_TOOL (the host build passes <build>/host/bundle/vectra-bundle to each userland
# build, which must then be built after vectra-bundle).
function(vectra_boot_bundle)
  cmake_parse_arguments(BUNDLE "" "OUTPUT" "PROGRAMS;FILES" ${ARGN})
  if(NOT BUNDLE_OUTPUT)
    message(FATAL_ERROR "vectra_boot_bundle: OUTPUT is required")
  endif()
  if(TARGET vectra-bundle)
    set(tool $<TARGET_FILE:vectra-bundle>)
    set(tool_dependency vectra-bundle)
  elseif(VECTRA_BUNDLE_TOOL)
    set(tool ${VECTRA_BUNDLE_TOOL})
    set(tool_dependency ${VECTRA_BUNDLE_TOOL})
  else()
    message(FATAL_ERROR "vectra_boot_bundle: no vectra-bundle tool (the host build passes VECTRA_BUNDLE_TOOL)")
  endif()

  set(arguments)
  set(dependencies ${tool_dependency})
  foreach(program IN LISTS BUNDLE_PROGRAMS)
    list(APPEND arguments ${program}=$<TARGET_FILE:${program}>)
    list(APPEND dependencies ${program})
  endforeach()
  foreach(pair IN LISTS BUNDLE_FILES)
    string(FIND "${pair}" "=" equals)
    if(equals LESS 1)
      message(FATAL_ERROR "vectra_boot_bundle: FILES entry '${pair}' is not NAME=FILE")
    endif()
    math(EXPR path_start "${equals} + 1")
    string(SUBSTRING "${pair}" ${path_start} -1 path)
    list(APPEND arguments ${pair})
    list(APPEND dependencies ${path})
  endforeach()

  add_custom_command(OUTPUT ${BUNDLE_OUTPUT}
    COMMAND ${tool} pack ${BUNDLE_OUTPUT} ${arguments}
    DEPENDS ${dependencies}
    COMMENT "Packing the boot bundle ${BUNDLE_OUTPUT}"
    VERBATIM)
  add_custom_target(boot-bundle ALL DEPENDS ${BUNDLE_OUTPUT})
endfunction()
