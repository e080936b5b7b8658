// Cameras sharing a detector pool that is slower than their frames arrive: each camera gets an
// equal share of it, and what a camera cannot process is counted as skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../support/vtest_frames.h"
#include "camera/camera.h"
#include "detect/detector_pool.h"
#include "detect/object_filter.h"

namespace corvette::camera {
namespace {

constexpr int kCameras = 3;
// The worst camera's processed frames against the best's. Issue 14's figure is 90% over a minute
// (bench/cameras_bench.py: 95.5%); over a test's seconds the frames each camera happens to skip
// move the shares by up to about 20% (34 to 44 frames in 12 s seen), so the test holds the line
// against starvation, a camera served much less than the others: 75%, and 65% in a sanitizer
// build, which slows the cameras' own processing as much as the detector.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr double kFairShare = 0.65;
#else
constexpr double kFairShare = 0.75;
#endif
constexpr auto kWindow = std::chrono::seconds(20);
// Every inference is held this long on top of its own time: one detector then answers at most 25
// regions a second, and three busy cameras at 5 fps ask for 35 or more (2.3 or more regions per
// frame on vtest).
constexpr auto kInferenceDelay = std::chrono::milliseconds(40);

CameraOptions VtestCamera(const std::string& name, detect::DetectorPool& pool,
                          std::atomic<int>& processed) {
  CameraOptions options;
  options.name = name;
  options.width = corvette::testing::kVtestWidth;
  options.height = corvette::testing::kVtestHeight;
  options.capture.commands.push_back(
      {{"detect"},
       {"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-i", corvette::testing::kVtestPath,
        "-t", "60", "-vf", "fps=5", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}});
  options.detector_pool = &pool;
  options.object_filter = std::make_shared<const detect::ObjectFilter>(
      std::vector<std::string>{"person"}, std::map<std::string, detect::LabelFilter>{});
  options.on_frame = [&processed](const FrameResult&) { processed.fetch_add(1); };
  return options;
}

TEST(CameraShareTest, CamerasBehindASlowDetectorGetEqualSharesAndCountWhatTheySkip) {
  if (!corvette::testing::VtestAvailable())
    GTEST_SKIP() << "vtest.avi (Debian's opencv-doc) is not installed";
  detect::DetectorPoolOptions pool_options;
  pool_options.detectors.push_back({.name = "cpu", .num_threads = 1});
  pool_options.before_inference = [](const std::string&) {
    std::this_thread::sleep_for(kInferenceDelay);
  };
  detect::DetectorPool pool(pool_options);

  std::array<std::atomic<int>, kCameras> processed{};
  std::vector<std::unique_ptr<Camera>> cameras;
  for (int i = 0; i < kCameras; ++i) {
    cameras.push_back(
        std::make_unique<Camera>(VtestCamera("cam" + std::to_string(i), pool, processed[i])));
  }
  for (auto& camera : cameras)
    camera->Start();
  // The motion detector's warm-up (30 frames, 6 s at 5 fps) asks nothing of the detector: count
  // from after it, over kWindow of busy frames.
  std::this_thread::sleep_for(std::chrono::seconds(9));
  std::array<int, kCameras> at_start{};
  for (int i = 0; i < kCameras; ++i)
    at_start[i] = processed[i].load();
  std::this_thread::sleep_for(kWindow);
  std::array<int, kCameras> frames{};
  std::vector<CameraStats> stats;
  for (int i = 0; i < kCameras; ++i) {
    frames[i] = processed[i].load() - at_start[i];
    stats.push_back(cameras[i]->Stats());
  }
  for (auto& camera : cameras)
    camera->RequestStop();
  for (auto& camera : cameras)
    camera->Stop();

  double skipped = 0;
  for (int i = 0; i < kCameras; ++i) {
    std::printf(
        "cam%d: %d frames processed in %lld s; last 10 s: camera_fps %.2f process_fps %.2f "
        "skipped_fps %.2f detection_fps %.2f\n",
        i, frames[i], static_cast<long long>(kWindow.count()), stats[i].camera_fps,
        stats[i].process_fps, stats[i].skipped_fps, stats[i].detection_fps);
    skipped += stats[i].skipped_fps;
  }
  // The detector was the limit: frames were skipped, and counted.
  EXPECT_GT(skipped, 1.0) << "the detector kept up: the test did not load it";
  const auto [fewest, most] = std::minmax_element(frames.begin(), frames.end());
  ASSERT_GT(*most, 0);
  // Within kFairShare (or one frame, for the few frames a slow build's detector gets through).
  EXPECT_GE(*fewest, std::min(kFairShare * *most, *most - 1.0))
      << "a camera got less than " << kFairShare * 100 << "% of another's frames processed";
  // Every frame read was either processed or skipped.
  for (int i = 0; i < kCameras; ++i) {
    EXPECT_NEAR(stats[i].process_fps + stats[i].skipped_fps, stats[i].camera_fps, 0.6)
        << "cam" << i;
  }
}

}  // namespace
}  // namespace corvette::camera
