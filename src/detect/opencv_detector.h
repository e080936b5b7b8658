#pragma once

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "detect/detector.h"

namespace corvette::detect {

// The `opencv` runtime: NanoDet on OpenCV's DNN module, CPU backend. Needs nothing beyond Debian's
// OpenCV, so it is the fallback of `runtime: auto`.
//
// Not thread-safe: one instance per thread (a cv::dnn::Net runs one forward at a time). The OpenCV
// thread count is process-wide (cv::setNumThreads) and is not set here; DetectorPool sets it.
class OpenCvDetector : public Detector {
 public:
  // Loads the model and runs one warm-up inference at input_size x input_size to check that the
  // file is a NanoDet model for that size. Throws std::runtime_error naming the path when the file
  // is missing, is not an ONNX model OpenCV can load, or its outputs are not NanoDet's for
  // input_size.
  OpenCvDetector(const std::string& model_path, int input_size);

  // Replaces the network by OpenCV's int8 version of it (cv::dnn::Net::quantize, per-channel
  // weights, float input and outputs), calibrated on one representative scene: `calibration_rgb` is
  // CV_8UC3 RGB at input_size. Faster on CPUs with AVX-512/VNNI at a small cost in scores; takes
  // about a second (OpenCV 4.6 cannot save the result, so it is redone at every start). Throws
  // std::runtime_error on failure.
  void QuantizeInt8(const cv::Mat& calibration_rgb);
  bool is_int8() const { return int8_; }

 protected:
  NanoDetOutputs Infer() override;

 private:
  bool int8_ = false;
  bool channel_major_ = false;  // output layout, see NanoDetOutputs
  cv::dnn::Net net_;
  std::vector<cv::String> output_names_;
  std::vector<cv::Mat> outputs_;
};

}  // namespace corvette::detect
