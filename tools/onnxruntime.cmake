# ONNX Runtime for the detectors' `onnxruntime` runtime (included by the root CMakeLists.txt).
#
# At configure time tools/fetch_onnxruntime.sh fetches (once; sha256-checked, cached in
# CORVETTE_ONNXRUNTIME_CACHE, default <source>/.cache/onnxruntime, which `make clean` keeps) the
# C API headers and libonnxruntime.so.1. When that works:
#   corvette_detect compiles its ONNX Runtime backend (CORVETTE_HAVE_ONNXRUNTIME) against the
#   headers; it loads the library with dlopen at run time, so nothing links against it;
#   target `onnxruntime` (part of ALL) copies the library, its LICENSE and ThirdPartyNotices.txt
#   beside the binary (${CMAKE_BINARY_DIR}), where the program looks first.
# When it does not (no network, no npm, a CPU the package has no build for), the build goes on
# with the OpenCV runtime alone and says so.

option(CORVETTE_ONNXRUNTIME "Fetch ONNX Runtime (npm onnxruntime-node) for the detectors" ON)
set(CORVETTE_ONNXRUNTIME_CACHE "${CMAKE_SOURCE_DIR}/.cache/onnxruntime" CACHE PATH
    "Where tools/fetch_onnxruntime.sh keeps libonnxruntime.so.1 and the C API headers")

set(CORVETTE_HAVE_ONNXRUNTIME OFF)
if(CORVETTE_ONNXRUNTIME)
  execute_process(COMMAND sh ${CMAKE_SOURCE_DIR}/tools/fetch_onnxruntime.sh
                          ${CORVETTE_ONNXRUNTIME_CACHE}
                  RESULT_VARIABLE _ort_fetch_result)
  if(_ort_fetch_result EQUAL 0)
    set(CORVETTE_HAVE_ONNXRUNTIME ON)
  else()
    message(WARNING "ONNX Runtime could not be fetched (see above): building with the OpenCV "
                    "runtime only. Detectors with `runtime: onnxruntime` will not start.")
  endif()
endif()

if(CORVETTE_HAVE_ONNXRUNTIME AND TARGET corvette_detect)
  set(_ort_dir "${CORVETTE_ONNXRUNTIME_CACHE}")
  set(_ort_files "${CMAKE_BINARY_DIR}/libonnxruntime.so.1" "${CMAKE_BINARY_DIR}/onnxruntime-LICENSE"
                 "${CMAKE_BINARY_DIR}/onnxruntime-ThirdPartyNotices.txt")
  add_custom_command(
    OUTPUT ${_ort_files}
    # Fetching again is a checksum check when the cache is intact, and repairs a cache deleted since.
    COMMAND sh ${CMAKE_SOURCE_DIR}/tools/fetch_onnxruntime.sh ${_ort_dir}
    COMMAND ${CMAKE_COMMAND} -E copy ${_ort_dir}/libonnxruntime.so.1 ${CMAKE_BINARY_DIR}/
    COMMAND ${CMAKE_COMMAND} -E copy ${_ort_dir}/LICENSE ${CMAKE_BINARY_DIR}/onnxruntime-LICENSE
    COMMAND ${CMAKE_COMMAND} -E copy ${_ort_dir}/ThirdPartyNotices.txt
            ${CMAKE_BINARY_DIR}/onnxruntime-ThirdPartyNotices.txt
    DEPENDS ${CMAKE_SOURCE_DIR}/tools/fetch_onnxruntime.sh
    COMMENT "Copying ONNX Runtime (onnxruntime-node@1.30.0) beside the binary"
    VERBATIM)
  add_custom_target(onnxruntime ALL DEPENDS ${_ort_files})

  target_include_directories(corvette_detect PRIVATE ${CORVETTE_ONNXRUNTIME_CACHE}/include)
  # PRIVATE, as CORVETTE_MODEL_DIR: only the detect library's own files read them.
  target_compile_definitions(
    corvette_detect PRIVATE CORVETTE_HAVE_ONNXRUNTIME=1
    CORVETTE_ONNXRUNTIME_BUILD_LIBRARY="${CMAKE_BINARY_DIR}/libonnxruntime.so.1")
  target_link_libraries(corvette_detect PUBLIC ${CMAKE_DL_LIBS})
  add_dependencies(corvette_detect onnxruntime)
endif()
