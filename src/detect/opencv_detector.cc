#include "detect/opencv_detector.h"

#include <fmt/format.h>

#include <stdexcept>

namespace corvette::detect {

OpenCvDetector::OpenCvDetector(const std::string& model_path, int input_size)
    : Detector(Runtime::kOpenCv, model_path, input_size) {
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
  NanoDetOutputs outputs;
  try {
    outputs = Run();
  } catch (const cv::Exception& e) {
    throw std::runtime_error(fmt::format(
        "model file {} does not run at {}x{} (is it NanoDet converted by tools/tfjs_to_onnx.py for "
        "that size?): {}",
        model_path, input_size, input_size, e.what()));
  }
  for (const cv::Mat& m : outputs_) {
    if (m.type() != CV_32F) {
      throw std::runtime_error(
          fmt::format("model file {} has outputs that are not float32", model_path));
    }
  }
  CheckOutputs(outputs);
  // [1, 80, cells] (tools/tfjs_to_onnx.py) or [1, cells, 80] (the TF.js graph's own layout).
  const std::vector<int64_t> shape(outputs_[0].size.p, outputs_[0].size.p + outputs_[0].dims);
  channel_major_ = IsChannelMajor(shape);
}

void OpenCvDetector::QuantizeInt8(const cv::Mat& calibration_rgb) {
  if (int8_)
    return;
  SetInput(calibration_rgb);
  try {
    cv::dnn::Net quantized = net_.quantize(input_blob(), CV_32F, CV_32F);
    quantized.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    quantized.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    // The float outputs of a quantized network are its dequantize layers (the old names give raw
    // int8).
    std::vector<cv::String> names;
    for (const char* name : kOutputNames)
      names.push_back(std::string("dequantize/") + name);
    quantized.setInput(input_blob());
    quantized.forward(outputs_, names);
    net_ = quantized;
    output_names_ = names;
    int8_ = true;
  } catch (const cv::Exception& e) {
    throw std::runtime_error(fmt::format("cannot quantize {} to int8: {}", model_path(), e.what()));
  }
}

NanoDetOutputs OpenCvDetector::Infer() {
  net_.setInput(input_blob());
  net_.forward(outputs_, output_names_);
  NanoDetOutputs view;
  for (int level = 0; level < 3; ++level) {
    const cv::Mat& s = outputs_[level];
    const cv::Mat& b = outputs_[level + 3];
    view.scores[level] = {s.ptr<float>(), s.total()};
    view.boxes[level] = {b.ptr<float>(), b.total()};
  }
  view.channel_major = channel_major_;
  return view;
}

}  // namespace corvette::detect
