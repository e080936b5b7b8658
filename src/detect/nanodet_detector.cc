#include "detect/nanodet_detector.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "detect/nanodet_decode.h"
#include "detect/nms.h"

namespace corvette::detect {
namespace {

// Output names of tools/tfjs_to_onnx.py: scores at strides 8, 16, 32, then box distributions.
const char* const kOutputNames[6] = {"Identity",   "Identity_1", "Identity_2",
                                     "Identity_3", "Identity_4", "Identity_5"};

}  // namespace

std::string DefaultModelDir() {
#ifdef CORVETTE_MODEL_DIR
  return CORVETTE_MODEL_DIR;
#else
  return "";
#endif
}

std::string DefaultModelPath(int input_size) {
  return fmt::format("{}/nanodet-{}.onnx", DefaultModelDir(), input_size);
}

std::string DefaultLabelmapPath() {
  return DefaultModelDir() + "/coco-labelmap.txt";
}

NanoDetDetector::NanoDetDetector(const std::string& model_path, int input_size)
    : model_path_(model_path), input_size_(input_size) {
  if (input_size <= 0 || input_size % 32 != 0) {
    throw std::runtime_error(
        fmt::format("model input size {} is not supported: NanoDet needs a positive multiple of 32",
                    input_size));
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model_path, ec)) {
    throw std::runtime_error(
        fmt::format("model file {} does not exist or is not a file (the build's `model` target "
                    "converts the sizes in CORVETTE_MODEL_SIZES, by default 320 and 416; or set "
                    "model.path)",
                    model_path));
  }
  try {
    net_ = cv::dnn::readNetFromONNX(model_path);
  } catch (const cv::Exception& e) {
    throw std::runtime_error(fmt::format("model file {} is not an ONNX model OpenCV can load: {}",
                                         model_path, e.what()));
  }
  if (net_.empty()) {
    throw std::runtime_error(fmt::format("model file {} holds no network", model_path));
  }
  net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  output_names_.assign(std::begin(kOutputNames), std::end(kOutputNames));
  blob_.create(std::vector<int>{1, 3, input_size, input_size}, CV_32F);
  blob_.setTo(0);
  try {
    net_.setInput(blob_);
    Forward();
  } catch (const cv::Exception& e) {
    throw std::runtime_error(fmt::format(
        "model file {} does not run at {}x{} (is it NanoDet converted by tools/tfjs_to_onnx.py for "
        "that size?): {}",
        model_path, input_size, input_size, e.what()));
  }
  for (int level = 0; level < 3; ++level) {
    const int grid = input_size / kNanoDetStrides[level];
    const cv::Mat& s = outputs_[level];
    const cv::Mat& b = outputs_[level + 3];
    if (s.total() != static_cast<size_t>(grid * grid * kNanoDetClasses) ||
        b.total() != static_cast<size_t>(grid * grid * 4 * kNanoDetBins) || s.type() != CV_32F ||
        b.type() != CV_32F) {
      throw std::runtime_error(
          fmt::format("model file {} has outputs that are not NanoDet's for input size {}",
                      model_path, input_size));
    }
  }
  // [1, 80, cells] (tools/tfjs_to_onnx.py) or [1, cells, 80] (the TF.js graph's own layout).
  channel_major_ = outputs_[0].dims == 3 && outputs_[0].size[1] == kNanoDetClasses &&
                   outputs_[0].size[2] != kNanoDetClasses;
}

void NanoDetDetector::QuantizeInt8(const cv::Mat& calibration_rgb) {
  if (int8_)
    return;
  SetInput(calibration_rgb);
  try {
    cv::dnn::Net quantized = net_.quantize(blob_, CV_32F, CV_32F);
    quantized.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    quantized.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    // The float outputs of a quantized network are its dequantize layers (the old names give raw
    // int8).
    std::vector<cv::String> names;
    for (const char* name : kOutputNames)
      names.push_back(std::string("dequantize/") + name);
    quantized.setInput(blob_);
    quantized.forward(outputs_, names);
    net_ = quantized;
    output_names_ = names;
    int8_ = true;
  } catch (const cv::Exception& e) {
    throw std::runtime_error(fmt::format("cannot quantize {} to int8: {}", model_path_, e.what()));
  }
}

void NanoDetDetector::SetInput(const cv::Mat& rgb) {
  if (rgb.type() != CV_8UC3 || rgb.rows != input_size_ || rgb.cols != input_size_) {
    throw std::invalid_argument(
        fmt::format("detector input must be {0}x{0} CV_8UC3 RGB, got {1}x{2} type {3}", input_size_,
                    rgb.cols, rgb.rows, rgb.type()));
  }
  const int plane = input_size_ * input_size_;
  float* r = blob_.ptr<float>();
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
  net_.setInput(blob_);
}

void NanoDetDetector::Forward() {
  net_.forward(outputs_, output_names_);
}

void NanoDetDetector::Decode(float score_threshold, float nms_iou,
                             std::vector<ModelDetection>* out) const {
  NanoDetOutputs view;
  for (int level = 0; level < 3; ++level) {
    const cv::Mat& s = outputs_[level];
    const cv::Mat& b = outputs_[level + 3];
    view.scores[level] = {s.ptr<float>(), s.total()};
    view.boxes[level] = {b.ptr<float>(), b.total()};
  }
  view.channel_major = channel_major_;
  out->clear();
  DecodeNanoDet(view, input_size_, score_threshold, out);
  PerClassNms(out, nms_iou);
}

void NanoDetDetector::Detect(const cv::Mat& rgb, float score_threshold, float nms_iou,
                             std::vector<ModelDetection>* out) {
  SetInput(rgb);
  Forward();
  Decode(score_threshold, nms_iou, out);
}

}  // namespace corvette::detect
