#include "detect/detector.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "detect/nms.h"
#include "util/install_paths.h"

namespace corvette::detect {

std::string DefaultModelDir() {
  // Looked up once: $CORVETTE_MODEL_DIR, beside the binary (the build folder), the installed
  // share folder, then where this build converted them.
  static const std::string dir = [] {
#ifdef CORVETTE_MODEL_DIR
    const std::optional<std::filesystem::path> built = std::filesystem::path(CORVETTE_MODEL_DIR);
#else
    const std::optional<std::filesystem::path> built;
#endif
    std::optional<std::filesystem::path> found =
        util::FindShippedFolder("CORVETTE_MODEL_DIR", "model", "coco-labelmap.txt", built);
    return found ? found->string() : built.value_or("").string();
  }();
  return dir;
}

std::string DefaultModelPath(int input_size, Precision precision) {
  return fmt::format("{}/nanodet-{}{}.onnx", DefaultModelDir(), input_size,
                     precision == Precision::kInt8 ? "-int8" : "");
}

std::string DefaultLabelmapPath() {
  return DefaultModelDir() + "/coco-labelmap.txt";
}

std::string_view RuntimeName(Runtime runtime) {
  switch (runtime) {
    case Runtime::kAuto:
      return "auto";
    case Runtime::kOnnxRuntime:
      return "onnxruntime";
    case Runtime::kOpenCv:
      return "opencv";
  }
  return "?";
}

std::optional<Runtime> ParseRuntime(std::string_view name) {
  for (Runtime r : {Runtime::kAuto, Runtime::kOnnxRuntime, Runtime::kOpenCv}) {
    if (name == RuntimeName(r))
      return r;
  }
  return std::nullopt;
}

std::string_view PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kFloat32:
      return "fp32";
    case Precision::kInt8:
      return "int8";
  }
  return "?";
}

std::optional<Precision> ParsePrecision(std::string_view name) {
  for (Precision p : {Precision::kFloat32, Precision::kInt8}) {
    if (name == PrecisionName(p))
      return p;
  }
  return std::nullopt;
}

Detector::Detector(Runtime runtime, std::string model_path, int input_size)
    : runtime_(runtime), model_path_(std::move(model_path)), input_size_(input_size) {
  if (input_size <= 0 || input_size % 32 != 0) {
    throw std::runtime_error(
        fmt::format("model input size {} is not supported: NanoDet needs a positive multiple of 32",
                    input_size));
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model_path_, ec)) {
    throw std::runtime_error(
        fmt::format("model file {} does not exist or is not a file (the build's `model` target "
                    "converts the sizes in CORVETTE_MODEL_SIZES, by default 320 and 416; or set "
                    "model.path)",
                    model_path_));
  }
  input_.create(std::vector<int>{1, 3, input_size, input_size}, CV_32F);
  input_.setTo(0);
}

bool Detector::IsChannelMajor(std::span<const int64_t> scores_shape) {
  return scores_shape.size() == 3 && scores_shape[1] == kNanoDetClasses &&
         scores_shape[2] != kNanoDetClasses;
}

void Detector::CheckOutputs(const NanoDetOutputs& outputs) const {
  for (int level = 0; level < 3; ++level) {
    const size_t grid = static_cast<size_t>(input_size_ / kNanoDetStrides[level]);
    if (outputs.scores[level].size() != grid * grid * kNanoDetClasses ||
        outputs.boxes[level].size() != grid * grid * 4 * kNanoDetBins) {
      throw std::runtime_error(
          fmt::format("model file {} has outputs that are not NanoDet's for input size {}",
                      model_path_, input_size_));
    }
  }
}

const NanoDetOutputs& Detector::Run() {
  outputs_ = Infer();
  return outputs_;
}

void Detector::SetInput(const cv::Mat& rgb) {
  if (rgb.type() != CV_8UC3 || rgb.rows != input_size_ || rgb.cols != input_size_) {
    throw std::invalid_argument(
        fmt::format("detector input must be {0}x{0} CV_8UC3 RGB, got {1}x{2} type {3}", input_size_,
                    rgb.cols, rgb.rows, rgb.type()));
  }
  const int plane = input_size_ * input_size_;
  float* r = input_.ptr<float>();
  float* g = r + plane;
  float* b = g + plane;
  constexpr float kScale = 1.0f / 255.0f;
  for (int y = 0; y < input_size_; ++y) {
    const uint8_t* px = rgb.ptr<uint8_t>(y);
    const int row = y * input_size_;
    for (int x = 0; x < input_size_; ++x) {
      r[row + x] = px[3 * x] * kScale;
      g[row + x] = px[3 * x + 1] * kScale;
      b[row + x] = px[3 * x + 2] * kScale;
    }
  }
}

void Detector::Decode(float score_threshold, float nms_iou,
                      std::vector<ModelDetection>* out) const {
  out->clear();
  DecodeNanoDet(outputs_, input_size_, score_threshold, out);
  PerClassNms(out, nms_iou);
}

void Detector::Detect(const cv::Mat& rgb, float score_threshold, float nms_iou,
                      std::vector<ModelDetection>* out) {
  SetInput(rgb);
  Run();
  Decode(score_threshold, nms_iou, out);
}

}  // namespace corvette::detect
