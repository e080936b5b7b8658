#include "app/camera_factory.h"

#include <gtest/gtest.h>

namespace corvette::app {
namespace {

config::Config LoadOrDie(const std::string& yaml) {
  config::LoadResult result = config::LoadConfigText(yaml, config::Format::kYaml, {});
  for (const auto& e : result.errors)
    ADD_FAILURE() << e;
  return *result.config;
}

TEST(RasterizeMaskTest, PolygonsAreZeroAndTheRestIs255) {
  config::Mask mask = {{{0, 0}, {10, 0}, {10, 10}, {0, 10}}};
  cv::Mat image = RasterizeMask(mask, 40, 20);
  ASSERT_EQ(image.rows, 20);
  ASSERT_EQ(image.cols, 40);
  EXPECT_EQ(image.at<uint8_t>(5, 5), 0);
  EXPECT_EQ(image.at<uint8_t>(15, 30), 255);
  EXPECT_TRUE(RasterizeMask({}, 40, 20).empty());
}

TEST(CameraOptionsForTest, MapsGeometryMotionZonesAndCommands) {
  config::Config config = LoadOrDie(R"(
cameras:
  back:
    ffmpeg:
      inputs:
        - path: rtsp://user:secret@10.0.0.1/live
          roles: [detect, rtmp]
    width: 640
    height: 480
    fps: 5
    motion:
      threshold: 30
      mask: 0,0,100,0,100,100,0,100
    zones:
      yard:
        coordinates: 0,0,640,0,640,100
)");
  camera::CameraOptions options =
      CameraOptionsFor(config, config.cameras[0], {.include_rtmp = false});
  EXPECT_EQ(options.name, "back");
  EXPECT_EQ(options.width, 640);
  EXPECT_EQ(options.height, 480);
  EXPECT_EQ(options.motion.threshold, 30);
  EXPECT_EQ(options.motion.frame_height, 80);
  ASSERT_FALSE(options.motion_mask.empty());
  EXPECT_EQ(options.motion_mask.at<uint8_t>(50, 50), 0);
  ASSERT_EQ(options.zones.size(), 1u);
  EXPECT_EQ(options.zones[0].name, "yard");
  EXPECT_EQ(options.zones[0].polygon.size(), 3u);
  ASSERT_EQ(options.capture.commands.size(), 1u);
  const auto& argv = options.capture.commands[0].argv;
  EXPECT_EQ(argv.back(), "pipe:");
  for (const auto& arg : argv)
    EXPECT_EQ(arg.find("rtmp://"), std::string::npos) << arg;
  EXPECT_TRUE(options.capture.commands[0].has_role("detect"));
}

}  // namespace
}  // namespace corvette::app
