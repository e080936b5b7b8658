#include "detect/detector_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "detect/detector_factory.h"

namespace corvette::detect {

struct DetectorPool::Job {
  RegionRequest request;
  std::promise<RegionResult> promise;
  std::atomic<bool> abandoned{false};
};

struct DetectorPool::Worker {
  std::string name;
  std::unique_ptr<Detector> detector;
  std::unique_ptr<RegionCropper> cropper;
  cv::Mat rgb;
  std::vector<ModelDetection> raw;
  std::atomic<double> inference_speed_s{0.01};
  std::atomic<double> detection_start{0.0};
  std::thread thread;
};

Detection ToFrameDetection(const ModelDetection& d, const PixelBox& region, int model_size,
                           const Labelmap& labelmap) {
  const double scale = static_cast<double>(region.width() / 4 * 4) / model_size;
  Detection out;
  out.class_id = d.class_id;
  out.label = labelmap.Label(d.class_id);
  out.score = d.score;
  out.box = {static_cast<int>(d.x1 * scale + region.x1), static_cast<int>(d.y1 * scale + region.y1),
             static_cast<int>(d.x2 * scale + region.x1),
             static_cast<int>(d.y2 * scale + region.y1)};
  out.area = out.box.area();
  out.region = region;
  return out;
}

DetectorPool::DetectorPool(DetectorPoolOptions options, util::Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  if (options_.detectors.empty())
    options_.detectors.push_back({});
  const bool built_in_model = options_.model_path.empty();
  if (built_in_model)
    options_.model_path = DefaultModelPath(options_.model_size);
  if (options_.labelmap_path.empty())
    options_.labelmap_path = DefaultLabelmapPath();
  labelmap_ = Labelmap::Load(options_.labelmap_path);

  // More OpenCV threads than cores only adds switching (Frigate's default num_threads is 3).
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int opencv_threads =
      options_.detectors.size() == 1 ? std::clamp(options_.detectors[0].num_threads, 1, cores) : 1;
  cv::setNumThreads(opencv_threads);
  std::set<std::string> fallback_reasons;
  std::string described;
  for (const auto& d : options_.detectors) {
    auto worker = std::make_unique<Worker>();
    worker->name = d.name;
    DetectorSpec spec{d.runtime, options_.model_path, options_.model_size, d.num_threads,
                      options_.onnxruntime_library};
    try {
      if (d.precision == Precision::kInt8) {
        if (d.runtime == Runtime::kOpenCv)
          throw std::runtime_error(
              "precision int8 runs on ONNX Runtime only, not on runtime opencv");
        if (!built_in_model) {
          throw std::runtime_error(fmt::format(
              "precision int8 is the built-in model's int8 version, and the model is {}",
              options_.model_path));
        }
        spec.runtime = Runtime::kOnnxRuntime;
        spec.model_path = DefaultModelPath(options_.model_size, Precision::kInt8);
        if (!std::filesystem::exists(spec.model_path)) {
          throw std::runtime_error(fmt::format(
              "precision int8: {} was not built (the build makes it where ONNX Runtime and "
              "vtest.avi from Debian's opencv-doc are there: install opencv-doc and run `make "
              "build`), or set precision: fp32",
              spec.model_path));
        }
      }
      std::string fallback;
      worker->detector = CreateDetector(spec, &fallback);
      if (!fallback.empty() && fallback_reasons.insert(fallback).second) {
        spdlog::warn("detector {}: runtime auto runs on OpenCV, since ONNX Runtime cannot: {}",
                     d.name, fallback);
      }
    } catch (const std::exception& e) {
      // "detector cpu (runtime auto)", with ", precision int8" when it is not the default.
      throw std::runtime_error(
          fmt::format("detector {} (runtime {}{}): {}", d.name, RuntimeName(d.runtime),
                      d.precision == Precision::kFloat32
                          ? ""
                          : fmt::format(", precision {}", PrecisionName(d.precision)),
                      e.what()));
    }
    const bool ort = worker->detector->runtime() == Runtime::kOnnxRuntime;
    described +=
        fmt::format("{}{} on {} in {} ({} thread(s))", described.empty() ? "" : ", ", d.name,
                    RuntimeName(worker->detector->runtime()), PrecisionName(d.precision),
                    ort ? std::max(1, d.num_threads) : opencv_threads);
    worker->cropper = std::make_unique<RegionCropper>(options_.model_size);
    workers_.push_back(std::move(worker));
  }
  spdlog::info("detectors: NanoDet {}x{} from {}: {}", options_.model_size, options_.model_size,
               options_.model_path, described);
  for (auto& w : workers_) {
    Worker* raw = w.get();
    w->thread = std::thread([this, raw] { Run(raw); });
  }
}

DetectorPool::~DetectorPool() {
  std::deque<std::shared_ptr<Job>> left;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    left.swap(queue_);
  }
  wake_.notify_all();
  for (auto& job : left) {
    job->promise.set_value({false, "detector pool stopped", {}});
  }
  for (auto& w : workers_) {
    if (w->thread.joinable())
      w->thread.join();
  }
}

std::future<RegionResult> DetectorPool::Submit(RegionRequest request) {
  auto job = std::make_shared<Job>();
  job->request = std::move(request);
  auto future = job->promise.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queue) {
      job->promise.set_value(
          {false, stopping_ ? "detector pool stopped" : "detection queue full", {}});
      return future;
    }
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return future;
}

void DetectorPool::Run(Worker* worker) {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_)
        return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (job->abandoned.load()) {
      job->promise.set_value({false, "abandoned before it ran", {}});
      continue;
    }
    RegionResult result;
    const double started = clock_.Monotonic();
    worker->detection_start.store(clock_.Now());
    try {
      if (options_.before_inference)
        options_.before_inference(worker->name);
      const RegionRequest& req = job->request;
      const cv::Mat* input = &req.rgb;
      if (req.rgb.empty()) {
        worker->cropper->Crop(req.frame, req.region, &worker->rgb);
        input = &worker->rgb;
      }
      worker->detector->Detect(*input, options_.score_threshold, options_.nms_iou, &worker->raw);
      result.detections.reserve(worker->raw.size());
      for (const auto& d : worker->raw) {
        result.detections.push_back(
            ToFrameDetection(d, req.region, options_.model_size, labelmap_));
      }
      result.ok = true;
    } catch (const std::exception& e) {
      result.error = e.what();
      spdlog::error("detector {}: camera {}: {}", worker->name, job->request.camera, e.what());
    }
    const double duration = clock_.Monotonic() - started;
    worker->detection_start.store(0.0);
    worker->inference_speed_s.store((9.0 * worker->inference_speed_s.load() + duration) / 10.0);
    job->request.frame_owner.reset();
    job->promise.set_value(std::move(result));
  }
}

std::vector<RegionResult> DetectorPool::DetectRegions(const std::string& camera,
                                                      std::shared_ptr<const void> frame_owner,
                                                      const I420View& frame,
                                                      std::span<const PixelBox> regions) {
  std::vector<std::shared_ptr<Job>> jobs;
  std::vector<std::future<RegionResult>> futures;
  jobs.reserve(regions.size());
  futures.reserve(regions.size());
  {
    std::lock_guard lock(mutex_);
    for (const auto& region : regions) {
      auto job = std::make_shared<Job>();
      job->request = {camera, frame_owner, frame, region, {}};
      futures.push_back(job->promise.get_future());
      if (stopping_ || queue_.size() >= options_.max_queue) {
        job->promise.set_value(
            {false, stopping_ ? "detector pool stopped" : "detection queue full", {}});
      } else {
        queue_.push_back(job);
      }
      jobs.push_back(std::move(job));
    }
  }
  wake_.notify_all();

  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(options_.timeout_seconds));
  std::vector<RegionResult> results;
  results.reserve(regions.size());
  for (size_t i = 0; i < futures.size(); ++i) {
    if (futures[i].wait_until(deadline) == std::future_status::ready) {
      results.push_back(futures[i].get());
    } else {
      // Abandon it: the worker skips it if it has not started, and its late answer goes nowhere.
      jobs[i]->abandoned.store(true);
      spdlog::error("camera {}: detection of region ({},{},{},{}) got no answer in {} s; skipped",
                    camera, regions[i].x1, regions[i].y1, regions[i].x2, regions[i].y2,
                    options_.timeout_seconds);
      results.push_back({false, "timed out", {}});
    }
  }
  return results;
}

std::vector<DetectorStats> DetectorPool::Stats() const {
  std::vector<DetectorStats> stats;
  for (const auto& w : workers_) {
    stats.push_back({w->name, w->inference_speed_s.load() * 1000.0, w->detection_start.load(),
                     getpid(), w->detector->runtime()});
  }
  return stats;
}

}  // namespace corvette::detect
