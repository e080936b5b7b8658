# Sanitizer builds (included by the root CMakeLists.txt; docs/testing.md says how to run them).
#
#   -DCORVETTE_SANITIZE=thread    ThreadSanitizer                  (`make tsan`: build-tsan/)
#   -DCORVETTE_SANITIZE=address   AddressSanitizer + UBSan, every  (`make asan`: build-asan/)
#                                 undefined-behaviour report fatal
#
# Every executable of the project gets tests/sanitizers/defaults.cc, which gives the runtime its
# default options and the suppressions files under tests/sanitizers/, so that ctest, the
# integration harness and a binary started by hand all run the same way. Options set in
# TSAN_OPTIONS / ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS still apply on top of these.
set(CORVETTE_SANITIZE "" CACHE STRING "Sanitizers to build with: thread, address or empty")
set_property(CACHE CORVETTE_SANITIZE PROPERTY STRINGS "" thread address)

if(CORVETTE_SANITIZE STREQUAL "thread")
  # -Wno-tsan: GCC warns that TSan does not model atomic_thread_fence, which Boost.Asio's
  # std_fenced_block uses around every handler. A fence it does not see can only make it report
  # a race that is not one (which a run would show), never hide one; CI's -Werror would otherwise
  # fail the build on a header that is not ours.
  set(_corvette_sanitize_flags -fsanitize=thread -Wno-tsan)
elseif(CORVETTE_SANITIZE STREQUAL "address")
  set(_corvette_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(CORVETTE_SANITIZE)
  message(FATAL_ERROR "CORVETTE_SANITIZE is '${CORVETTE_SANITIZE}': use thread, address or nothing")
else()
  return()
endif()

add_compile_options(${_corvette_sanitize_flags} -fno-omit-frame-pointer)
add_link_options(${_corvette_sanitize_flags})

set(CORVETTE_TEST_TIME_SCALE 2 CACHE STRING
    "Factor of the integration harness's waits in a sanitizer build (CORVETTE_TEST_TIME_SCALE)")

# Called at the end of the root directory, once every executable and test exists.
function(_corvette_sanitizer_defaults)
  get_property(targets DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_sources(${t} PRIVATE ${CMAKE_SOURCE_DIR}/tests/sanitizers/defaults.cc)
      target_compile_definitions(
        ${t} PRIVATE CORVETTE_SANITIZER_DIR="${CMAKE_SOURCE_DIR}/tests/sanitizers")
    endif()
  endforeach()
  # The tests added here (the integration tests; the unit tests are discovered at test time).
  get_property(tests DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY TESTS)
  foreach(t ${tests})
    set_property(TEST ${t} APPEND PROPERTY
                 ENVIRONMENT CORVETTE_TEST_TIME_SCALE=${CORVETTE_TEST_TIME_SCALE})
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _corvette_sanitizer_defaults)
