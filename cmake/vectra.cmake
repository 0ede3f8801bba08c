# Build helpers shared by every part of the tree.

# Warnings for our own code: all of them, as errors.
set(VECTRA_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter)

function(vectra_add_subdirectory_if_present dir)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endfunction()

# Adds every immediate subfolder of the current folder that has a CMakeLists.txt, so parts
# (test suites, fuzz targets) can be added without editing a shared list.
function(vectra_add_all_subdirectories)
  file(GLOB children LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY ${child} AND EXISTS ${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()

if(NOT VECTRA_KERNEL_ARCH AND NOT VECTRA_USER_ARCH)
  find_package(GTest REQUIRED)
  include(GoogleTest)

  # Every host unit test runs under AddressSanitizer and UndefinedBehaviorSanitizer: the first
  # report ends the test as a failure. The host tool and the benchmarks stay uninstrumented.
  set(VECTRA_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

  # vectra_sanitized_library(LIBRARY): LIBRARY_sanitized, the same sources built like LIBRARY
  # (its full include path, definitions and options, read from the target itself) plus the
  # sanitizers. Only our own static libraries (vectra_*) get one.
  function(vectra_sanitized_library name)
    if(TARGET ${name}_sanitized)
      return()
    endif()
    get_target_property(sources ${name} SOURCES)
    get_target_property(source_dir ${name} SOURCE_DIR)
    set(absolute_sources)
    foreach(source IN LISTS sources)
      if(NOT IS_ABSOLUTE ${source})
        set(source ${source_dir}/${source})
      endif()
      list(APPEND absolute_sources ${source})
    endforeach()
    add_library(${name}_sanitized STATIC EXCLUDE_FROM_ALL ${absolute_sources})
    target_include_directories(${name}_sanitized PRIVATE $<TARGET_PROPERTY:${name},INCLUDE_DIRECTORIES>)
    target_compile_definitions(${name}_sanitized PRIVATE $<TARGET_PROPERTY:${name},COMPILE_DEFINITIONS>)
    target_compile_options(${name}_sanitized PRIVATE $<TARGET_PROPERTY:${name},COMPILE_OPTIONS> ${VECTRA_SANITIZE_FLAGS})
    # Sources the library's own folder generates are built there first.
    add_dependencies(${name}_sanitized ${name})
  endfunction()

  # Our static libraries among `libraries` and what they link, dependencies after dependants.
  function(vectra_own_libraries_in_link_order libraries out)
    set(order)
    function(vectra_visit_library library)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" library "${library}")
      if(NOT library MATCHES "^vectra_" OR NOT TARGET ${library} OR library IN_LIST order)
        return()
      endif()
      get_target_property(type ${library} TYPE)
      if(NOT type STREQUAL "STATIC_LIBRARY")
        return()
      endif()
      get_target_property(dependencies ${library} LINK_LIBRARIES)
      if(dependencies)
        foreach(dependency IN LISTS dependencies)
          vectra_visit_library(${dependency})
        endforeach()
      endif()
      list(PREPEND order ${library})  # after everything it depends on: reverse post-order
      set(order ${order} PARENT_SCOPE)
    endfunction()
    foreach(library IN LISTS libraries)
      vectra_visit_library(${library})
    endforeach()
    set(${out} ${order} PARENT_SCOPE)
  endfunction()

  # vectra_host_test(NAME SOURCES a.cpp b.cpp LIBRARIES lib...)
  # One GoogleTest executable; each test case becomes one CTest test named NAME.Suite.Case.
  # The test and its own libraries are built with the sanitizers: the sanitized copies come
  # first on the link line, so the plain libraries after them only bring their external
  # dependencies (libsodium, OpenSSL, ...), resolved where those libraries found them.
  function(vectra_host_test name)
    cmake_parse_arguments(T "" "" "SOURCES;LIBRARIES" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    target_compile_options(${name} PRIVATE ${VECTRA_WARNINGS} ${VECTRA_SANITIZE_FLAGS})
    target_link_options(${name} PRIVATE ${VECTRA_SANITIZE_FLAGS})
    vectra_own_libraries_in_link_order("${T_LIBRARIES}" own)
    set(sanitized)
    foreach(library IN LISTS own)
      vectra_sanitized_library(${library})
      list(APPEND sanitized ${library}_sanitized)
    endforeach()
    target_link_libraries(${name} PRIVATE ${sanitized} ${T_LIBRARIES} GTest::gtest GTest::gtest_main)
    gtest_discover_tests(${name} TEST_PREFIX "${name}." DISCOVERY_TIMEOUT 60
      PROPERTIES TIMEOUT 300)
  endfunction()

  # vectra_fuzzer(NAME SOURCES a.cpp ... [LIBRARIES lib...] [SECONDS n])
  # A libFuzzer target built with ASan and UBSan. Its checked-in corpus lives in
  # ${CMAKE_CURRENT_SOURCE_DIR}/corpus and is only read; new inputs go to the build tree.
  # Run as a CTest test for a bounded time: any crash or sanitizer report fails it.
  # SOURCES must list the code under test itself (not a prebuilt library) so that it is
  # instrumented too.
  set(VECTRA_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1)
  function(vectra_fuzzer name)
    cmake_parse_arguments(F "" "SECONDS" "SOURCES;LIBRARIES" ${ARGN})
    if(NOT F_SECONDS)
      set(F_SECONDS 20)
    endif()
    add_executable(${name} ${F_SOURCES})
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
    target_compile_options(${name} PRIVATE ${VECTRA_WARNINGS} ${VECTRA_FUZZ_FLAGS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${F_LIBRARIES})
    set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}-corpus)
    add_test(NAME fuzz.${name}
      COMMAND ${CMAKE_COMMAND} -E env UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
              sh -c "mkdir -p '${work}' && exec '$<TARGET_FILE:${name}>' -max_total_time=${F_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 '${work}' '${CMAKE_CURRENT_SOURCE_DIR}/corpus'")
    set_tests_properties(fuzz.${name} PROPERTIES TIMEOUT ${F_SECONDS}0 LABELS fuzz)
  endfunction()
endif()
