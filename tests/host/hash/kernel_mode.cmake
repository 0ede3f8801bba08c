# vectra_kernel_mode_compile(PREFIX source...): each source is also compiled the way the kernel
# builds (freestanding, no exceptions or RTTI, general registers only) for both kernel targets,
# as CTest cases PREFIX.kernel_mode.<target>.<file>. Shared by the hash, elf and boot_bundle suites.
function(vectra_kernel_mode_compile prefix)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    return()
  endif()
  set(flags -std=c++23 -ffreestanding -nostdlibinc -fno-builtin -fno-exceptions -fno-rtti -mgeneral-regs-only
      -Wall -Wextra -Werror -O2 -I${CMAKE_SOURCE_DIR}/lib -I${CMAKE_SOURCE_DIR})
  foreach(target x86_64-unknown-none-elf aarch64-unknown-none-elf)
    set(target_flags --target=${target})
    if(target MATCHES "^x86_64")
      list(APPEND target_flags -mno-sse)
    endif()
    foreach(source ${ARGN})
      get_filename_component(name ${source} NAME_WE)
      add_test(NAME ${prefix}.kernel_mode.${target}.${name}
        COMMAND ${CMAKE_CXX_COMPILER} ${target_flags} ${flags} -c ${source} -o /dev/null)
    endforeach()
  endforeach()
endfunction()

# Host tests of the boot-path parsers run under AddressSanitizer and UBSan: an out-of-bounds
# read must fail the test, not pass silently.
set(VECTRA_PARSER_TEST_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
