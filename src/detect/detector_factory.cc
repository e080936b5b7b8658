#include "detect/detector_factory.h"

#include "detect/onnxruntime_detector.h"
#include "detect/opencv_detector.h"

namespace corvette::detect {

std::unique_ptr<Detector> CreateDetector(const DetectorSpec& spec, std::string* fallback_reason) {
  const OnnxRuntimeOptions ort{spec.num_threads, spec.onnxruntime_library};
  switch (spec.runtime) {
    case Runtime::kOnnxRuntime:
      return std::make_unique<OnnxRuntimeDetector>(spec.model_path, spec.input_size, ort);
    case Runtime::kOpenCv:
      return std::make_unique<OpenCvDetector>(spec.model_path, spec.input_size);
    case Runtime::kAuto:
      break;
  }
  try {
    return std::make_unique<OnnxRuntimeDetector>(spec.model_path, spec.input_size, ort);
  } catch (const std::exception& e) {
    if (fallback_reason != nullptr)
      *fallback_reason = e.what();
  }
  return std::make_unique<OpenCvDetector>(spec.model_path, spec.input_size);
}

}  // namespace corvette::detect
