// Detection benchmarks: NanoDet inference at 320 and 416 and everything around it (crop, colour
// conversion, scaling, decode, NMS) on a real vtest.avi frame. Needs the `model` target built
// (build/model/*.onnx).
//
// Threads: cv::setNumThreads is process-wide, so each benchmark sets it first.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "detect/opencv_detector.h"
#include "detect/region_crop.h"

namespace {

using corvette::detect::DefaultModelPath;
using corvette::detect::I420View;
using corvette::detect::ModelDetection;
using corvette::detect::OpenCvDetector;
using corvette::detect::PixelBox;
using corvette::detect::RegionCropper;

constexpr int kWidth = 768;
constexpr int kHeight = 576;

const std::vector<uint8_t>& VtestFrame() {
  static const std::vector<uint8_t> frame = [] {
    const char* cmd =
        "ffmpeg -nostdin -v error -i /usr/share/doc/opencv-doc/examples/data/vtest.avi "
        "-vf \"select=gte(n\\,100)\" -vsync 0 -frames:v 1 -pix_fmt yuv420p -f rawvideo -";
    std::vector<uint8_t> f(kWidth * kHeight * 3 / 2);
    FILE* pipe = popen(cmd, "r");
    if (pipe == nullptr || fread(f.data(), 1, f.size(), pipe) != f.size()) {
      throw std::runtime_error("cannot read a vtest.avi frame with ffmpeg");
    }
    pclose(pipe);
    return f;
  }();
  return frame;
}

I420View Frame() {
  return I420View::Packed(VtestFrame().data(), kWidth, kHeight);
}

// Floating-point operations of one inference at `size`, as OpenCV counts them (Net::getFLOPS).
double ModelFlops(int size) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(DefaultModelPath(size));
  return static_cast<double>(net.getFLOPS(cv::dnn::MatShape{1, 3, size, size}));
}

// Inference alone (input blob fill + forward), one network, range(0) = size, range(1) = OpenCV
// threads. gflop_per_s: the network's FLOPs (OpenCV's count) per second of wall time.
void BM_Forward(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  cv::setNumThreads(static_cast<int>(state.range(1)));
  OpenCvDetector detector(DefaultModelPath(size), size);
  RegionCropper cropper(size);
  cv::Mat rgb;
  cropper.Crop(Frame(), {0, 0, kWidth, kWidth}, &rgb);
  for (auto _ : state) {
    detector.SetInput(rgb);
    detector.Run();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["gflop_per_s"] =
      benchmark::Counter(ModelFlops(size) * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Forward)
    ->Args({320, 2})
    ->Args({320, 1})
    ->Args({416, 2})
    ->Args({416, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Inference of the int8 network (OpenCV's quantize(), calibrated on the same frame), range as
// BM_Forward.
void BM_ForwardInt8(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  cv::setNumThreads(static_cast<int>(state.range(1)));
  OpenCvDetector detector(DefaultModelPath(size), size);
  RegionCropper cropper(size);
  cv::Mat rgb;
  cropper.Crop(Frame(), {0, 0, kWidth, kWidth}, &rgb);
  detector.QuantizeInt8(rgb);
  for (auto _ : state) {
    detector.SetInput(rgb);
    detector.Run();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ForwardInt8)
    ->Args({320, 2})
    ->Args({320, 1})
    ->Args({416, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Throughput of two networks with one OpenCV thread each, each driven by its own thread (the
// DetectorPool setup for two detectors). items_per_second = inferences per second of both together.
void BM_TwoSingleThreadedNets(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  cv::setNumThreads(1);
  OpenCvDetector a(DefaultModelPath(size), size);
  OpenCvDetector b(DefaultModelPath(size), size);
  RegionCropper cropper(size);
  cv::Mat rgb;
  cropper.Crop(Frame(), {0, 0, kWidth, kWidth}, &rgb);
  constexpr int kPerNet = 10;
  for (auto _ : state) {
    std::thread other([&] {
      for (int i = 0; i < kPerNet; ++i) {
        b.SetInput(rgb);
        b.Run();
      }
    });
    for (int i = 0; i < kPerNet; ++i) {
      a.SetInput(rgb);
      a.Run();
    }
    other.join();
  }
  state.SetItemsProcessed(state.iterations() * 2 * kPerNet);
  cv::setNumThreads(2);
}
BENCHMARK(BM_TwoSingleThreadedNets)
    ->Arg(320)
    ->Arg(416)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One region end to end with the parts timed separately in the same run: crop+convert+scale,
// forward (blob fill included), decode+NMS. Counters are milliseconds per region; around_pct =
// (crop + decode) / forward. range(0) = model size, range(1) = region side (a region of the 768x576
// frame at (100, 50); 768 covers the whole width and runs past the bottom edge).
void BM_DetectRegion(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const int side = static_cast<int>(state.range(1));
  cv::setNumThreads(2);
  OpenCvDetector detector(DefaultModelPath(size), size);
  RegionCropper cropper(size);
  cv::Mat rgb;
  std::vector<ModelDetection> detections;
  const PixelBox region =
      side >= kWidth ? PixelBox{0, 0, side, side} : PixelBox{100, 50, 100 + side, 50 + side};
  using Clock = std::chrono::steady_clock;
  double crop_s = 0, forward_s = 0, decode_s = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    cropper.Crop(Frame(), region, &rgb);
    const auto t1 = Clock::now();
    detector.SetInput(rgb);
    detector.Run();
    const auto t2 = Clock::now();
    detector.Decode(0.4f, 0.5f, &detections);
    const auto t3 = Clock::now();
    crop_s += std::chrono::duration<double>(t1 - t0).count();
    forward_s += std::chrono::duration<double>(t2 - t1).count();
    decode_s += std::chrono::duration<double>(t3 - t2).count();
    benchmark::DoNotOptimize(detections.data());
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["crop_ms"] = crop_s / n * 1e3;
  state.counters["forward_ms"] = forward_s / n * 1e3;
  state.counters["decode_nms_ms"] = decode_s / n * 1e3;
  state.counters["around_pct"] = (crop_s + decode_s) / forward_s * 100.0;
  state.counters["detections"] = static_cast<double>(detections.size());
}
BENCHMARK(BM_DetectRegion)
    ->Args({320, 300})
    ->Args({320, 768})
    ->Args({416, 768})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The surrounding work alone, without the network: crop + convert + scale of one region.
void BM_CropRegion(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const int side = static_cast<int>(state.range(1));
  RegionCropper cropper(size);
  cv::Mat rgb;
  const PixelBox region =
      side >= kWidth ? PixelBox{0, 0, side, side} : PixelBox{100, 50, 100 + side, 50 + side};
  for (auto _ : state) {
    cropper.Crop(Frame(), region, &rgb);
    benchmark::DoNotOptimize(rgb.data);
  }
}
BENCHMARK(BM_CropRegion)
    ->Args({320, 300})
    ->Args({320, 768})
    ->Args({320, 1280})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
