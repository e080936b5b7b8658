#include "image/overlay.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <opencv2/imgproc.hpp>

#include "test_frames.h"

namespace corvette::image {
namespace {

using testing::ColourDistance;

const cv::Scalar kGrey(128, 128, 128);
const cv::Scalar kRed(0, 0, 255);
const cv::Scalar kGreen(0, 255, 0);

cv::Mat Canvas() {
  return cv::Mat(360, 640, CV_8UC3, kGrey);
}

int CountColour(const cv::Mat& bgr, const cv::Scalar& colour, const cv::Rect& area) {
  int n = 0;
  const cv::Mat roi = bgr(area);
  for (int r = 0; r < roi.rows; ++r) {
    for (int c = 0; c < roi.cols; ++c) {
      n += ColourDistance(roi.at<cv::Vec3b>(r, c), colour) == 0;
    }
  }
  return n;
}

TEST(Tab10Test, PlainAndResampledColours) {
  EXPECT_EQ(Tab10Colour(0), cv::Scalar(31, 119, 180));
  EXPECT_EQ(Tab10Colour(9), cv::Scalar(23, 190, 207));
  // Two zones: linspace(0, 1, 2) picks the first and last tab10 colours.
  EXPECT_EQ(Tab10Colour(1, 2), cv::Scalar(23, 190, 207));
  // 91 labels: class 1 is at 1/90 -> entry 0; class 10 is at 10/90 -> entry 1.
  EXPECT_EQ(Tab10Colour(1, 91), cv::Scalar(31, 119, 180));
  EXPECT_EQ(Tab10Colour(10, 91), cv::Scalar(255, 127, 14));
  EXPECT_EQ(Tab10Colour(500, 91), cv::Scalar(23, 190, 207));
}

TEST(FormatTimestampTest, LocalTimeInFrigateFormat) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatTimestamp(1623643750.569992), "06/14/2021 04:09:10");
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(ObjectInfoTest, TruncatesScore) {
  EXPECT_EQ(ObjectInfo(0.707f, 1234), "70% 1234");
}

TEST(DrawOverlaysTest, MotionBoxIsRedWhereItIs) {
  cv::Mat bgr = Canvas();
  OverlayData data;
  data.motion_boxes.push_back({100, 80, 200, 160});
  OverlayLayers layers;
  layers.motion = true;
  DrawOverlays(bgr, data, layers);
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(80, 150), kRed), 0);    // top edge
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(120, 200), kRed), 0);   // right edge
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(120, 150), kGrey), 0);  // inside untouched
  EXPECT_EQ(CountColour(bgr, kRed, cv::Rect(300, 200, 300, 150)), 0);
}

TEST(DrawOverlaysTest, LayersOffDrawNothing) {
  cv::Mat bgr = Canvas();
  OverlayData data;
  data.motion_boxes.push_back({100, 80, 200, 160});
  data.regions.push_back({10, 10, 300, 300});
  DrawOverlays(bgr, data, OverlayLayers{});
  EXPECT_EQ(CountColour(bgr, kGrey, cv::Rect(0, 0, 640, 360)), 640 * 360);
}

TEST(DrawOverlaysTest, ScaledDrawingMovesCoordinates) {
  cv::Mat bgr = Canvas();  // a 1280x720 frame drawn at half size
  OverlayData data;
  data.motion_boxes.push_back({200, 160, 400, 320});
  OverlayLayers layers;
  layers.motion = true;
  DrawOverlays(bgr, data, layers, 0.5);
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(80, 150), kRed), 0);
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(160, 150), kRed), 0);
}

TEST(DrawOverlaysTest, RegionsGreenAndMaskBlack) {
  cv::Mat bgr = Canvas();
  OverlayData data;
  data.regions.push_back({20, 20, 120, 120});
  data.mask = cv::Mat(360, 640, CV_8UC1, cv::Scalar(255));
  data.mask(cv::Rect(400, 200, 50, 50)).setTo(0);
  OverlayLayers layers;
  layers.regions = true;
  layers.mask = true;
  DrawOverlays(bgr, data, layers);
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(20, 70), kGreen), 0);
  EXPECT_EQ(CountColour(bgr, cv::Scalar(0, 0, 0), cv::Rect(400, 200, 50, 50)), 2500);
  EXPECT_EQ(CountColour(bgr, cv::Scalar(0, 0, 0), cv::Rect(0, 0, 640, 360)), 2500);
}

TEST(DrawOverlaysTest, OccupiedZoneIsThicker) {
  const std::vector<cv::Point> square{{100, 100}, {300, 100}, {300, 300}, {100, 300}};
  const cv::Scalar colour = Tab10Colour(0);
  OverlayLayers layers;
  layers.zones = true;
  int widths[2];
  for (int occupied = 0; occupied < 2; ++occupied) {
    cv::Mat bgr = Canvas();
    OverlayData data;
    data.zones.push_back({square, colour, occupied == 1});
    DrawOverlays(bgr, data, layers);
    widths[occupied] = CountColour(bgr, colour, cv::Rect(190, 80, 1, 40));  // across the top edge
  }
  EXPECT_LE(widths[0], 3);
  EXPECT_GE(widths[1], 8);
}

TEST(DrawOverlaysTest, BoundingBoxWithTagAndUnmatchedObject) {
  cv::Mat bgr = Canvas();
  OverlayData data;
  const cv::Scalar colour = Tab10Colour(2);
  data.objects.push_back({{200, 150, 300, 300}, "person", 0.81f, 15000, colour, true});
  data.objects.push_back({{400, 150, 500, 300}, "car", 0.6f, 15000, colour, false});
  OverlayLayers layers;
  layers.bbox = true;
  DrawOverlays(bgr, data, layers);
  // Box edge in the label colour, and a filled tag above it with black text.
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(250, 200), colour), 0);
  EXPECT_GT(CountColour(bgr, colour, cv::Rect(200, 120, 100, 25)), 200);
  EXPECT_GT(CountColour(bgr, cv::Scalar(0, 0, 0), cv::Rect(200, 120, 120, 25)), 50);
  // The unmatched one in (255,0,0), thickness 1.
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(250, 400), cv::Scalar(255, 0, 0)), 0);
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(250, 401), kGrey), 0);
}

TEST(DrawOverlaysTest, TagAtTopWhenNoRoomAbove) {
  cv::Mat bgr = Canvas();
  const cv::Scalar colour = Tab10Colour(4);
  DrawBoxWithLabel(bgr, {50, 5, 150, 100}, "dog", "90% 9500", colour);
  EXPECT_EQ(ColourDistance(bgr.at<cv::Vec3b>(0, 52), colour), 0);
}

TEST(DrawOverlaysTest, TimestampIsWhiteTextTopLeft) {
  cv::Mat bgr = Canvas();
  OverlayData data;
  data.frame_time = 1623643750;
  OverlayLayers layers;
  layers.timestamp = true;
  DrawOverlays(bgr, data, layers);
  const cv::Scalar white(255, 255, 255);
  EXPECT_GT(CountColour(bgr, white, cv::Rect(10, 10, 250, 25)), 200);
  EXPECT_EQ(CountColour(bgr, white, cv::Rect(0, 50, 640, 310)), 0);
}

TEST(DrawSnapshotTimestampTest, WidthFollowsImage) {
  const cv::Scalar white(255, 255, 255);
  cv::Mat wide(300, 1000, CV_8UC3, kGrey);
  DrawSnapshotTimestamp(wide, 1623643750);
  cv::Mat cols;
  cv::reduce(wide(cv::Rect(0, 250, 1000, 50)) == 255, cols, 0, cv::REDUCE_MAX);
  std::vector<cv::Point> lit;
  cv::Mat gray;
  cv::cvtColor(cols, gray, cv::COLOR_BGR2GRAY);
  cv::findNonZero(gray, lit);
  ASSERT_FALSE(lit.empty());
  const int text_width = lit.back().x - lit.front().x;
  EXPECT_NEAR(text_width, 330, 20);  // 0.33 * 1000
  EXPECT_GE(lit.front().x, 5);
}

}  // namespace
}  // namespace corvette::image
