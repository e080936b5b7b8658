#include "camera/camera.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "../support/vtest_frames.h"
#include "../support/wait_for.h"
#include "image/jpeg.h"

namespace corvette::camera {
namespace {

using corvette::testing::WaitFor;
using namespace std::chrono_literals;

// A camera whose "stream" is ffmpeg's test pattern in real time: a moving, changing picture.
CameraOptions TestPatternCamera(int width, int height) {
  CameraOptions options;
  options.name = "test";
  options.width = width;
  options.height = height;
  std::string size = std::to_string(width) + "x" + std::to_string(height);
  options.capture.commands.push_back(
      {{"detect"},
       {"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
        "testsrc=size=" + size + ":rate=10", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}});
  return options;
}

TEST(CameraTest, BeforeTheFirstFrameLatestIsABlackFrameOfTheCameraSize) {
  Camera camera(TestPatternCamera(320, 240));
  auto jpeg = camera.LiveJpeg({});
  image::JpegSize size = image::ReadJpegSize(*jpeg);
  EXPECT_EQ(size.width, 320);
  EXPECT_EQ(size.height, 240);
}

TEST(CameraTest, FramesFlowIntoTheStateAndTheStats) {
  Camera camera(TestPatternCamera(320, 240));
  camera.Start();
  ASSERT_TRUE(WaitFor([&] { return camera.state().Latest()->sequence > 5; }, 10s));
  CameraStats stats = camera.Stats();
  EXPECT_GT(stats.capture_pid, 0);
  EXPECT_GT(stats.camera_fps, 0);
  EXPECT_GT(stats.process_fps, 0);
  EXPECT_EQ(stats.detection_fps, 0);

  image::RenderOptions half;
  half.height = 120;
  auto jpeg = camera.LiveJpeg(half);
  EXPECT_EQ(image::ReadJpegSize(*jpeg).height, 120);
  camera.Stop();
  EXPECT_EQ(camera.Stats().capture_pid, 0);
}

TEST(CameraTest, ViewersOfTheSameFrameAndOptionsShareOneEncode) {
  Camera camera(TestPatternCamera(320, 240));
  camera.Start();
  ASSERT_TRUE(WaitFor([&] { return camera.state().Latest()->sequence > 2; }, 10s));
  camera.Stop();  // freeze the latest frame
  image::RenderOptions options;
  options.layers.timestamp = true;
  auto first = camera.LiveJpeg(options);
  uint64_t encodes = camera.state().jpeg_cache().encodes();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(camera.LiveJpeg(options).get(), first.get());
  }
  EXPECT_EQ(camera.state().jpeg_cache().encodes(), encodes);
}

// Debian's vtest.avi (opencv-doc): pedestrians walking, 768x576 at 10 fps.
CameraOptions WalkersCamera() {
  CameraOptions options;
  options.name = "walkers";
  options.width = corvette::testing::kVtestWidth;
  options.height = corvette::testing::kVtestHeight;
  options.capture.commands.push_back(
      {{"detect"},
       {"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i",
        corvette::testing::kVtestPath, "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}});
  return options;
}

TEST(CameraTest, WalkingPeopleShowAsMotionBoxesUntilDetectionIsTurnedOff) {
  Camera camera(WalkersCamera());
  camera.Start();
  // 30 frames of warm-up at 10 fps, then the walkers give motion.
  EXPECT_TRUE(WaitFor([&] { return !camera.state().Latest()->motion_boxes.empty(); }, 15s));
  camera.set_detect_enabled(false);
  uint64_t seq = camera.state().Latest()->sequence;
  ASSERT_TRUE(WaitFor([&] { return camera.state().Latest()->sequence > seq + 1; }, 5s));
  EXPECT_TRUE(camera.state().Latest()->motion_boxes.empty());
}

}  // namespace
}  // namespace corvette::camera
