# vectra_user_program(NAME SOURCES a.cpp ... [LIBRARIES lib...] [BOOT])
# One VectraOS program: a static freestanding ELF linked with the runtime (start code, syscall
# stubs, heap, console print) by user/runtime/user.ld, written to <user build>/bin/NAME.
# BOOT lists it for the boot bundle (user/CMakeLists.txt packs those after every program).
set(VECTRA_USER_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/user.ld)

function(vectra_user_program name)
  cmake_parse_arguments(PROGRAM "BOOT" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT PROGRAM_SOURCES)
    message(FATAL_ERROR "vectra_user_program(${name}): no SOURCES")
  endif()
  add_executable(${name} ${PROGRAM_SOURCES})
  target_compile_options(${name} PRIVATE ${VECTRA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${PROGRAM_LIBRARIES} vectra_user_runtime vectra_base)
  target_link_options(${name} PRIVATE -T ${VECTRA_USER_LINKER_SCRIPT} -Map=${CMAKE_CURRENT_BINARY_DIR}/${name}.map)
  set_target_properties(${name} PROPERTIES
    LINK_DEPENDS ${VECTRA_USER_LINKER_SCRIPT}
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
  set_property(GLOBAL APPEND PROPERTY VECTRA_USER_PROGRAMS ${name})
  if(PROGRAM_BOOT)
    set_property(GLOBAL APPEND PROPERTY VECTRA_BOOT_PROGRAMS ${name})
  endif()
endfunction()
