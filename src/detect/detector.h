#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detect/detection.h"
#include "detect/nanodet_decode.h"

namespace corvette::detect {

// The folder of the built-in models: <dir>/nanodet-<size>.onnx and <dir>/coco-labelmap.txt. The
// first of $CORVETTE_MODEL_DIR, `model` beside the running binary (the build folder, where
// tools/model.cmake converts them), `../share/corvette/model` from the binary's folder (an
// installed corvette) and the build's own folder that holds a coco-labelmap.txt.
std::string DefaultModelDir();
// The arithmetic the network runs in: `detectors.<name>.precision` in the config.
enum class Precision {
  kFloat32,  // the converted model as it is
  kInt8,     // the QDQ model of tools/quantize_nanodet.py (ONNX Runtime only; docs/detection.md)
};
std::string_view PrecisionName(Precision precision);  // "fp32", "int8"
// The inverse of PrecisionName; nullopt for any other name.
std::optional<Precision> ParsePrecision(std::string_view name);

// DefaultModelDir() + "/nanodet-<size>.onnx", or "/nanodet-<size>-int8.onnx" for kInt8 (made by
// the build only where ONNX Runtime and vtest.avi were there: tools/int8_model.cmake).
std::string DefaultModelPath(int input_size, Precision precision = Precision::kFloat32);
// DefaultModelDir() + "/coco-labelmap.txt".
std::string DefaultLabelmapPath();

// What runs the network: `detectors.<name>.runtime` in the config.
enum class Runtime {
  kAuto,         // ONNX Runtime where its library loads and runs the model, else OpenCV
  kOnnxRuntime,  // OnnxRuntimeDetector
  kOpenCv,       // OpenCvDetector
};
std::string_view RuntimeName(Runtime runtime);  // "auto", "onnxruntime", "opencv"
// The inverse of RuntimeName; nullopt for any other name.
std::optional<Runtime> ParseRuntime(std::string_view name);

// NanoDet (the ONNX model written by tools/tfjs_to_onnx.py) on one runtime: the backends
// (OpenCvDetector, OnnxRuntimeDetector) implement Infer; the input fill, the decode and the NMS are
// the same for all of them.
//
// Not thread-safe: one instance per thread.
class Detector {
 public:
  virtual ~Detector() = default;
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // kOnnxRuntime or kOpenCv.
  Runtime runtime() const { return runtime_; }
  int input_size() const { return input_size_; }
  const std::string& model_path() const { return model_path_; }

  // The model input that Run reads: float32 [1, 3, input_size, input_size], RGB planes scaled to
  // [0, 1]. SetInput fills it from an image; a caller may also write it directly.
  std::span<float> input() { return {input_.ptr<float>(), input_.total()}; }
  // Fills input() from `rgb` (CV_8UC3, input_size x input_size, RGB order); throws
  // std::invalid_argument for any other image.
  void SetInput(const cv::Mat& rgb);

  // Runs the network on input() once and returns views of its six outputs, valid until the next
  // Run. Throws std::runtime_error when the runtime fails.
  const NanoDetOutputs& Run();

  // The detections of the last Run scoring above score_threshold after per-class NMS at nms_iou,
  // in model input pixels, sorted by descending score; replaces *out.
  void Decode(float score_threshold, float nms_iou, std::vector<ModelDetection>* out) const;

  // SetInput, Run and Decode: one region's detections. No allocation of its own once warm (the
  // runtime's may allocate).
  void Detect(const cv::Mat& rgb, float score_threshold, float nms_iou,
              std::vector<ModelDetection>* out);

 protected:
  // Checks input_size (a positive multiple of 32) and that model_path names a file; throws
  // std::runtime_error saying what to do otherwise. Zeroes the input.
  Detector(Runtime runtime, std::string model_path, int input_size);

  // The backend: runs the network on input() and returns views of its outputs.
  virtual NanoDetOutputs Infer() = 0;

  // Backends call this on the outputs of their warm-up run: throws std::runtime_error naming the
  // model when they are not NanoDet's six outputs for input_size.
  void CheckOutputs(const NanoDetOutputs& outputs) const;

  // True when the first output's shape is [1, 80, cells] (channel-major), false for [1, cells, 80].
  static bool IsChannelMajor(std::span<const int64_t> scores_shape);

  // Output names of tools/tfjs_to_onnx.py: scores at strides 8, 16, 32, then box distributions.
  static constexpr const char* kOutputNames[6] = {"Identity",   "Identity_1", "Identity_2",
                                                  "Identity_3", "Identity_4", "Identity_5"};

  cv::Mat& input_blob() { return input_; }

 private:
  Runtime runtime_;
  std::string model_path_;
  int input_size_;
  cv::Mat input_;  // float32 [1, 3, input_size, input_size]
  NanoDetOutputs outputs_;
};

}  // namespace corvette::detect
