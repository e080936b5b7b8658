#include "image/render.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "test_frames.h"

namespace corvette::image {
namespace {

using testing::ColourDistance;
using testing::SolidI420;

const cv::Scalar kGrey(128, 128, 128);

TEST(RenderFrameJpegTest, OriginalHeightByDefault) {
  const I420Image frame = SolidI420(1280, 720, kGrey);
  const std::string jpeg = RenderFrameJpeg(frame.view(), RenderOptions{}, OverlayData{});
  const JpegSize size = ReadJpegSize(jpeg);
  EXPECT_EQ(size.width, 1280);
  EXPECT_EQ(size.height, 720);
}

TEST(RenderFrameJpegTest, RequestedHeightWithAndWithoutOverlays) {
  const I420Image frame = SolidI420(1280, 720, kGrey);
  for (int height : {360, 175, 1080}) {
    RenderOptions options;
    options.height = height;
    JpegSize size = ReadJpegSize(RenderFrameJpeg(frame.view(), options, OverlayData{}));
    EXPECT_EQ(size.height, height);
    EXPECT_EQ(size.width, ScaledWidth(1280, 720, height));
    options.layers.timestamp = true;
    size = ReadJpegSize(RenderFrameJpeg(frame.view(), options, OverlayData{}));
    EXPECT_EQ(size.height, height);
    EXPECT_EQ(size.width, ScaledWidth(1280, 720, height));
  }
}

TEST(RenderFrameJpegTest, PlainFrameKeepsColoursAndBlack) {
  // Video black (Y 16) must come out black in the JPEG, not grey.
  const I420Image black = SolidI420(320, 240, cv::Scalar(0, 0, 0));
  RenderOptions options;
  cv::Mat out = DecodeToBgr(RenderFrameJpeg(black.view(), options, OverlayData{}));
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(100, 100), cv::Scalar(0, 0, 0)), 3);
  const cv::Scalar colour(200, 60, 30);
  const I420Image frame = SolidI420(320, 240, colour);
  options.height = 120;
  out = DecodeToBgr(RenderFrameJpeg(frame.view(), options, OverlayData{}));
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(60, 80), colour), 6);
}

TEST(RenderFrameJpegTest, MotionOverlayScaledToOutputHeight) {
  const I420Image frame = SolidI420(1280, 720, kGrey);
  OverlayData overlay;
  overlay.motion_boxes.push_back({400, 200, 800, 600});
  RenderOptions options;
  options.height = 360;
  options.layers.motion = true;
  const cv::Mat out = DecodeToBgr(RenderFrameJpeg(frame.view(), options, overlay));
  ASSERT_EQ(out.rows, 360);
  // The left edge of the box, at x = 200 in the half-size image, is red (a 1-pixel line there, so
  // JPEG's halved chroma blurs it over its neighbours).
  int reddest = -255;
  for (int x = 198; x <= 202; ++x) {
    const cv::Vec3b p = out.at<cv::Vec3b>(200, x);
    reddest = std::max(reddest, p[2] - p[1]);
  }
  EXPECT_GT(reddest, 60);
  const cv::Vec3b far = out.at<cv::Vec3b>(200, 100);
  EXPECT_LT(far[2] - far[1], 10);
  const cv::Vec3b inside = out.at<cv::Vec3b>(200, 300);
  EXPECT_LE(ColourDistance(inside, kGrey), 6);
}

SnapshotObject Person() {
  SnapshotObject object;
  object.box = {600, 300, 700, 500};
  object.label = "person";
  object.score = 0.77f;
  object.area = 20000;
  object.colour = Tab10Colour(0);
  object.frame_time = 1623643750;
  return object;
}

TEST(RenderSnapshotTest, FullFrameByDefault) {
  const I420Image frame = SolidI420(1280, 720, kGrey);
  const cv::Mat out = RenderSnapshot(frame.view(), Person(), SnapshotOptions{});
  EXPECT_EQ(out.size(), cv::Size(1280, 720));
}

TEST(RenderSnapshotTest, CropToRegionAroundBox) {
  cv::Mat bgr(720, 1280, CV_8UC3, kGrey);
  bgr(cv::Rect(600, 300, 100, 200)).setTo(cv::Scalar(255, 255, 255));
  I420Image frame;
  BgrToI420(bgr, &frame);
  SnapshotOptions options;
  options.crop = true;
  const cv::Mat out = RenderSnapshot(frame.view(), Person(), options);
  // calculate_region(box 100x200, 1.1): side int(200 * 1.1) = 220 -> 300, centred on the box.
  ASSERT_EQ(out.size(), cv::Size(300, 300));
  // Box (600,300)-(700,500) lies at (100,50)-(200,250) inside the crop (x from 500, y from 250).
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(150, 150), cv::Scalar(255, 255, 255)), 4);
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(20, 20), kGrey), 4);
}

TEST(RenderSnapshotTest, CroppedJpegEncodesTheCropOnly) {
  // The crop is a view into the frame (row stride of the whole frame): the JPEG must hold the
  // crop's pixels, not the frame's first rows.
  cv::Mat bgr(720, 1280, CV_8UC3, cv::Scalar(0, 0, 0));
  bgr(cv::Rect(500, 250, 300, 300)).setTo(cv::Scalar(255, 255, 255));
  I420Image frame;
  BgrToI420(bgr, &frame);
  SnapshotOptions options;
  options.crop = true;
  const cv::Mat out = DecodeToBgr(RenderSnapshotJpeg(frame.view(), Person(), options));
  ASSERT_EQ(out.size(), cv::Size(300, 300));
  EXPECT_GT(cv::mean(out)[0], 240);
}

TEST(RenderSnapshotTest, CropClippedAtFrameEdgeAndResized) {
  const I420Image frame = SolidI420(640, 360, kGrey);
  SnapshotObject object = Person();
  object.box = {0, 0, 640, 360};
  SnapshotOptions options;
  options.crop = true;
  options.height = 270;
  const cv::Mat out = RenderSnapshot(frame.view(), object, options);
  // Region (0,0,768,768) clipped to 640x360, then 270 high: width int(270 * 640 / 360) = 480.
  EXPECT_EQ(out.size(), cv::Size(480, 270));
}

TEST(RenderSnapshotTest, BoxAndTimestampDrawn) {
  const I420Image frame = SolidI420(1280, 720, kGrey);
  SnapshotOptions options;
  options.bounding_box = true;
  options.timestamp = true;
  const cv::Mat out = RenderSnapshot(frame.view(), Person(), options);
  EXPECT_EQ(ColourDistance(out.at<cv::Vec3b>(400, 600), Tab10Colour(0)), 0);
  cv::Mat white;
  cv::inRange(out(cv::Rect(0, 660, 640, 60)), cv::Scalar(250, 250, 250), cv::Scalar(255, 255, 255),
              white);
  EXPECT_GT(cv::countNonZero(white), 300);
}

TEST(RenderThumbnailTest, CroppedTo175) {
  const I420Image frame = SolidI420(1280, 720, kGrey);
  const I420View view = frame.view();
  const JpegSize size = ReadJpegSize(RenderThumbnailJpeg(&view, Person()));
  EXPECT_EQ(size.width, 175);
  EXPECT_EQ(size.height, 175);
}

TEST(RenderThumbnailTest, BlackWithoutFrame) {
  const cv::Mat out = DecodeToBgr(RenderThumbnailJpeg(nullptr, Person()));
  EXPECT_EQ(out.size(), cv::Size(175, 175));
  EXPECT_LE(cv::mean(out)[0], 2);
}

TEST(AndroidThumbnailTest, SquareBecomesTwoToOne) {
  const std::string square = EncodeBgr(cv::Mat(175, 175, CV_8UC3, cv::Scalar(255, 255, 255)));
  const cv::Mat out = DecodeToBgr(AndroidThumbnail(square));
  // int(175 * 0.5) = 87 black columns on each side.
  EXPECT_EQ(out.size(), cv::Size(175 + 2 * 87, 175));
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(80, 40), cv::Scalar(0, 0, 0)), 4);
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(80, 170), cv::Scalar(255, 255, 255)), 4);
  EXPECT_LE(ColourDistance(out.at<cv::Vec3b>(80, 300), cv::Scalar(0, 0, 0)), 4);
}

TEST(AndroidThumbnailTest, GarbageThrows) {
  EXPECT_THROW(AndroidThumbnail("nope"), JpegError);
}

}  // namespace
}  // namespace corvette::image
