// MotionDetector per-frame cost at 1280x720, frame_height 120 (issue 3 target: <= 0.1 ms/frame).
#include <benchmark/benchmark.h>

#include <opencv2/imgproc.hpp>
#include <vector>

#include "motion/motion_detector.h"

namespace {

using corvette::motion::MotionDetector;
using corvette::motion::MotionOptions;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;

MotionOptions Options() {
  MotionOptions o;
  o.frame_height = 120;
  return o;
}

// A textured, noisy scene; with `moving`, a bright square that moves on every frame.
std::vector<cv::Mat> Frames(bool moving) {
  cv::RNG rng(7);
  std::vector<cv::Mat> frames;
  for (int i = 0; i < 16; ++i) {
    cv::Mat y(kHeight, kWidth, CV_8UC1);
    rng.fill(y, cv::RNG::UNIFORM, 60, 90);
    if (moving) {
      y(cv::Rect(100 + 50 * i, 200 + 10 * i, 150, 150)).setTo(230);
    }
    frames.push_back(y);
  }
  return frames;
}

void Run(benchmark::State& state, bool moving, bool masked) {
  cv::Mat mask;
  if (masked) {
    mask = cv::Mat(kHeight, kWidth, CV_8UC1, cv::Scalar(255));
    mask(cv::Rect(0, 0, 400, 200)).setTo(0);
  }
  MotionDetector detector(kWidth, kHeight, Options(), mask);
  const auto warm = Frames(false);
  for (int i = 0; i < 40; ++i) {
    detector.Detect(warm[i % warm.size()].ptr<uint8_t>(), kWidth);
  }
  const auto frames = Frames(moving);
  size_t i = 0;
  int64_t boxes = 0;
  for (auto _ : state) {
    const auto& out = detector.Detect(frames[i].ptr<uint8_t>(), kWidth);
    boxes += static_cast<int64_t>(out.size());
    i = (i + 1) % frames.size();
  }
  state.counters["boxes_per_frame"] =
      static_cast<double>(boxes) / static_cast<double>(state.iterations());
}

void BM_MotionStaticScene(benchmark::State& state) {
  Run(state, false, false);
}
void BM_MotionStaticSceneMasked(benchmark::State& state) {
  Run(state, false, true);
}
void BM_MotionMovingSquare(benchmark::State& state) {
  Run(state, true, false);
}

BENCHMARK(BM_MotionStaticScene)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MotionStaticSceneMasked)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MotionMovingSquare)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
