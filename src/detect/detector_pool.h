#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "detect/detection.h"
#include "detect/detector.h"
#include "detect/labelmap.h"
#include "detect/region_crop.h"
#include "util/clock.h"

namespace corvette::detect {

// One entry of the config's `detectors` map (only `type: cpu` exists here).
struct DetectorOptions {
  std::string name = "cpu";
  int num_threads = 1;
  Runtime runtime = Runtime::kAuto;  // what runs the network (CreateDetector)
  // kInt8: the built-in model's int8 version (DefaultModelPath(size, kInt8)) on ONNX Runtime; an
  // error with runtime kOpenCv, with a model_path of the caller's, or where the build made no int8
  // model. `auto` then means ONNX Runtime or the error, never a silent float fallback.
  Precision precision = Precision::kFloat32;
};

struct DetectorPoolOptions {
  std::string model_path;                  // ONNX file; empty = DefaultModelPath(model_size)
  std::string labelmap_path;               // empty = DefaultLabelmapPath()
  int model_size = 320;                    // square input side (config model.width == model.height)
  std::vector<DetectorOptions> detectors;  // one worker each; empty = one detector "cpu", 1 thread
  // Raw detections at or below this score are dropped before NMS (Frigate: 0.4). Set it to the
  // lowest min_score of the filters to honour lower filter settings.
  float score_threshold = 0.4f;
  float nms_iou = 0.5f;           // per-class NMS inside one region
  double timeout_seconds = 10.0;  // DetectRegions gives up on a region after this long
  size_t max_queue = 256;         // requests waiting beyond this are refused at once
  // ONNX Runtime's library; empty = the usual places (OnnxRuntimeLibraryCandidates()).
  std::string onnxruntime_library;
  // Fault injection for tests: called by a worker before each inference (may block).
  std::function<void(const std::string& detector_name)> before_inference;
};

// What /api/stats shows per detector.
struct DetectorStats {
  std::string name;
  double inference_speed_ms = 10.0;  // moving average: avg = (9 * avg + duration) / 10, from 10 ms
  double detection_start = 0.0;  // epoch seconds when the inference in flight began; 0.0 when idle
  int pid = 0;                   // the process id (all detectors run in the one process)
  Runtime runtime = Runtime::kOpenCv;  // what it runs on (never kAuto)
};

// One region of one frame to run through the detector.
struct RegionRequest {
  std::string camera;
  // Keeps the frame's memory alive until the request is done (e.g. the shared_ptr of the pooled
  // Frame).
  std::shared_ptr<const void> frame_owner;
  I420View frame;
  PixelBox region;
  // Instead of frame: an already prepared model input (CV_8UC3 RGB, model_size square) for
  // `region`.
  cv::Mat rgb;
};

struct RegionResult {
  bool ok = false;
  std::string error;                  // when !ok: why (timeout, refused, bad input)
  std::vector<Detection> detections;  // frame pixels, labelled, NMS'd within the region
};

// Runs NanoDet for all cameras on a fixed set of workers. Each worker thread owns its own network
// (a Detector on its runtime) and crop buffers and takes requests from one shared FIFO queue (work
// stealing across cameras).
//
// Threads: an ONNX Runtime detector runs exactly its num_threads. OpenCV's thread count is
// process-wide: the pool sets cv::setNumThreads to the one detector's num_threads (at most the
// number of cores), or to 1 when there are several detectors (two single-threaded networks outrun
// one two-threaded network). All methods are thread-safe.
class DetectorPool {
 public:
  // Loads the labelmap and one network per detector (CreateDetector; an `auto` detector that falls
  // back to OpenCV logs why, once per reason); throws std::runtime_error (naming the detector, the
  // file and what to do) when the model, the labelmap or a required runtime cannot be loaded.
  explicit DetectorPool(DetectorPoolOptions options,
                        util::Clock& clock = util::SystemClock::Instance());
  // Stops the workers; requests still queued are answered with an error.
  ~DetectorPool();

  DetectorPool(const DetectorPool&) = delete;
  DetectorPool& operator=(const DetectorPool&) = delete;

  // Queues one region. The future is always satisfied (with ok=false on refusal or shutdown).
  std::future<RegionResult> Submit(RegionRequest request);

  // Runs every region of one frame (in parallel when there are several detectors) and waits for
  // all. A region with no answer within timeout_seconds is abandoned: an error is logged and its
  // result has ok=false and no detections (never the results of an earlier request).
  std::vector<RegionResult> DetectRegions(const std::string& camera,
                                          std::shared_ptr<const void> frame_owner,
                                          const I420View& frame, std::span<const PixelBox> regions);

  std::vector<DetectorStats> Stats() const;
  const Labelmap& labelmap() const { return labelmap_; }
  int model_size() const { return options_.model_size; }

 private:
  struct Job;
  struct Worker;
  void Run(Worker* worker);

  DetectorPoolOptions options_;
  util::Clock& clock_;
  Labelmap labelmap_;
  std::vector<std::unique_ptr<Worker>> workers_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
};

// Maps one model-pixel detection of a region's crop back into frame pixels (truncating like
// Frigate's int()).
Detection ToFrameDetection(const ModelDetection& d, const PixelBox& region, int model_size,
                           const Labelmap& labelmap);

}  // namespace corvette::detect
