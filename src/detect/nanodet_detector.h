#pragma once

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "detect/detection.h"

namespace corvette::detect {

// Where the build leaves the converted models (tools/model.cmake): <dir>/nanodet-<size>.onnx and
// <dir>/coco-labelmap.txt. Empty when the library was built without the model target.
std::string DefaultModelDir();
// DefaultModelDir() + "/nanodet-<size>.onnx".
std::string DefaultModelPath(int input_size);
// DefaultModelDir() + "/coco-labelmap.txt".
std::string DefaultLabelmapPath();

// NanoDet (the ONNX model written by tools/tfjs_to_onnx.py) on OpenCV's DNN module, CPU backend.
//
// Not thread-safe: one instance per thread (a cv::dnn::Net runs one forward at a time). The OpenCV
// thread count is process-wide (cv::setNumThreads) and is not set here; DetectorPool sets it.
class NanoDetDetector {
 public:
  // Loads the model and runs one warm-up inference at input_size x input_size to check that the
  // file is a NanoDet model for that size. Throws std::runtime_error naming the path when the file
  // is missing, is not an ONNX model OpenCV can load, or its outputs are not NanoDet's for
  // input_size.
  NanoDetDetector(const std::string& model_path, int input_size);

  NanoDetDetector(const NanoDetDetector&) = delete;
  NanoDetDetector& operator=(const NanoDetDetector&) = delete;

  // Replaces the network by OpenCV's int8 version of it (cv::dnn::Net::quantize, per-channel
  // weights, float input and outputs), calibrated on one representative scene: `calibration_rgb` is
  // CV_8UC3 RGB at input_size. Faster on CPUs with AVX-512/VNNI at a small cost in scores; takes
  // about a second (OpenCV 4.6 cannot save the result, so it is redone at every start). Throws
  // std::runtime_error on failure.
  void QuantizeInt8(const cv::Mat& calibration_rgb);
  bool is_int8() const { return int8_; }

  int input_size() const { return input_size_; }
  const std::string& model_path() const { return model_path_; }

  // Runs the network on `rgb` (CV_8UC3, input_size x input_size, RGB order) and replaces *out with
  // the detections scoring above score_threshold after per-class NMS at nms_iou, in model input
  // pixels, sorted by descending score. Reuses its buffers: no allocation of its own once warm
  // (OpenCV's forward may allocate).
  void Detect(const cv::Mat& rgb, float score_threshold, float nms_iou,
              std::vector<ModelDetection>* out);

  // The steps of Detect, for benchmarks: fills the input blob from `rgb`, runs the network,
  // decodes.
  void SetInput(const cv::Mat& rgb);
  void Forward();
  void Decode(float score_threshold, float nms_iou, std::vector<ModelDetection>* out) const;

 private:
  std::string model_path_;
  int input_size_;
  bool int8_ = false;
  bool channel_major_ = false;  // output layout, see NanoDetOutputs
  cv::dnn::Net net_;
  cv::Mat blob_;
  std::vector<cv::String> output_names_;
  std::vector<cv::Mat> outputs_;
};

}  // namespace corvette::detect
