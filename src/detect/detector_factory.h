#pragma once

#include <memory>
#include <string>

#include "detect/detector.h"

namespace corvette::detect {

// What one detector runs on.
struct DetectorSpec {
  Runtime runtime = Runtime::kAuto;
  std::string model_path;
  int input_size = 320;
  // ONNX Runtime: the session's intra-op threads, exactly. OpenCV: ignored (its thread count is
  // process-wide; DetectorPool sets it).
  int num_threads = 1;
  // ONNX Runtime's library; empty = the usual places (OnnxRuntimeLibraryCandidates()).
  std::string onnxruntime_library;
};

// Makes the detector `spec` asks for. kOnnxRuntime and kOpenCv: that backend or its exception
// (std::runtime_error saying what to do). kAuto: ONNX Runtime when its library loads and runs the
// model, else OpenCV, with *fallback_reason (when given) set to why ONNX Runtime was not used;
// throws OpenCV's exception when OpenCV cannot run the model either.
std::unique_ptr<Detector> CreateDetector(const DetectorSpec& spec,
                                         std::string* fallback_reason = nullptr);

}  // namespace corvette::detect
