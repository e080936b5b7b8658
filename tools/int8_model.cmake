# The int8 NanoDet models for `precision: int8` (included by the root CMakeLists.txt after
# tools/model.cmake and tools/onnxruntime.cmake).
#
# Made only where ONNX Runtime was fetched (it runs the calibration and is the only runtime that runs
# them) and vtest.avi is installed (Debian's opencv-doc: the calibration frames). For each size of
# CORVETTE_MODEL_SIZES, target `model_int8` (part of ALL) leaves ${CORVETTE_MODEL_DIR}/nanodet-<size>-int8.onnx:
#   tools/quantize_nanodet.py expose    the float model with the tensors to quantize as outputs
#   nanodet_calibrate                  their ranges over regions of 150 vtest frames (ONNX Runtime)
#   tools/quantize_nanodet.py quantize  the QDQ model (tools/quantize_nanodet.py says what and how)
# Without them the build goes on; a detector with `precision: int8` then refuses to start, saying why.

set(CORVETTE_CALIBRATION_VIDEO "/usr/share/doc/opencv-doc/examples/data/vtest.avi" CACHE FILEPATH
    "The footage the int8 models are calibrated on")
set(CORVETTE_HAVE_INT8_MODEL OFF)
if(CORVETTE_HAVE_ONNXRUNTIME AND TARGET model AND EXISTS "${CORVETTE_CALIBRATION_VIDEO}")
  set(CORVETTE_HAVE_INT8_MODEL ON)
elseif(TARGET model)
  message(WARNING "No int8 models (precision: int8): they need ONNX Runtime and "
                  "${CORVETTE_CALIBRATION_VIDEO} (Debian's opencv-doc) at build time.")
endif()

if(CORVETTE_HAVE_INT8_MODEL)
  add_executable(nanodet_calibrate tools/nanodet_calibrate.cc)
  target_link_libraries(nanodet_calibrate PRIVATE corvette_detect fmt::fmt
                        nlohmann_json::nlohmann_json opencv::imgproc)
  target_include_directories(nanodet_calibrate PRIVATE ${CORVETTE_ONNXRUNTIME_CACHE}/include)
  add_dependencies(nanodet_calibrate onnxruntime)

  set(_int8_outputs)
  foreach(size ${CORVETTE_MODEL_SIZES})
    set(_float "${CORVETTE_MODEL_DIR}/nanodet-${size}.onnx")
    set(_exposed "${CMAKE_BINARY_DIR}/calibration/nanodet-${size}-calibration.onnx")
    set(_ranges "${CMAKE_BINARY_DIR}/calibration/nanodet-${size}-ranges.json")
    set(_int8 "${CORVETTE_MODEL_DIR}/nanodet-${size}-int8.onnx")
    add_custom_command(
      OUTPUT ${_int8} ${_ranges}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/calibration
      COMMAND ${CORVETTE_PYTHON} ${CMAKE_SOURCE_DIR}/tools/quantize_nanodet.py expose
              --model ${_float} --output ${_exposed}
      COMMAND $<TARGET_FILE:nanodet_calibrate> --model ${_exposed} --size ${size}
              --video ${CORVETTE_CALIBRATION_VIDEO} --frames 150 --output ${_ranges}
      COMMAND ${CORVETTE_PYTHON} ${CMAKE_SOURCE_DIR}/tools/quantize_nanodet.py quantize
              --model ${_float} --ranges ${_ranges} --output ${_int8}
      DEPENDS ${_float} nanodet_calibrate ${CMAKE_SOURCE_DIR}/tools/quantize_nanodet.py
      COMMENT "Calibrating and quantizing NanoDet to int8 at ${size}x${size}"
      VERBATIM)
    list(APPEND _int8_outputs ${_int8})
  endforeach()
  add_custom_target(model_int8 ALL DEPENDS ${_int8_outputs})
  if(TARGET detect_tests)
    add_dependencies(detect_tests model_int8)
  endif()
endif()
