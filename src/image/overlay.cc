#include "image/overlay.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <opencv2/imgproc.hpp>

namespace corvette::image {
namespace {

// matplotlib's tab10 as 8-bit RGB.
constexpr int kTab10[10][3] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                               {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                               {188, 189, 34},  {23, 190, 207}};

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

int Scaled(int value, double scale) {
  return scale == 1.0 ? value : static_cast<int>(std::lround(value * scale));
}

int Thickness(int thickness, double scale) {
  return scale == 1.0 ? thickness : std::max(1, static_cast<int>(std::lround(thickness * scale)));
}

cv::Point ScaledPoint(int x, int y, double scale) {
  return {Scaled(x, scale), Scaled(y, scale)};
}

void DrawRectangle(cv::Mat& bgr, const Box& box, const cv::Scalar& colour, int thickness,
                   double scale) {
  cv::rectangle(bgr, ScaledPoint(box.x1, box.y1, scale), ScaledPoint(box.x2, box.y2, scale), colour,
                Thickness(thickness, scale));
}

}  // namespace

cv::Scalar Tab10Colour(int index, int count) {
  if (count <= 0) {
    count = 10;
  }
  // get_cmap('tab10', count) resamples the 10 colours at linspace(0, 1, count); an index past
  // the end takes the last colour (matplotlib's "over" colour), a negative one the first.
  index = std::clamp(index, 0, count - 1);
  const double x = count > 1 ? index * (1.0 / (count - 1)) : 0.0;
  int entry = static_cast<int>(x * 10.0);
  entry = std::clamp(entry, 0, 9);
  return cv::Scalar(kTab10[entry][0], kTab10[entry][1], kTab10[entry][2]);
}

std::string FormatTimestamp(double unix_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[64];
  const size_t n = std::strftime(text, sizeof(text), "%m/%d/%Y %H:%M:%S", &local);
  return std::string(text, n);
}

std::string ObjectInfo(float score, int area) {
  return fmt::format("{}% {}", static_cast<int>(score * 100), area);
}

void DrawBoxWithLabel(cv::Mat& bgr, const Box& box, std::string_view label, std::string_view info,
                      const cv::Scalar& colour, int thickness, double scale) {
  DrawRectangle(bgr, box, colour, thickness, scale);
  const std::string text = fmt::format("{}: {}", label, info);
  const double font_scale = 0.5 * scale;
  const int text_thickness = Thickness(2, scale);
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, kFont, font_scale, text_thickness, &baseline);
  const int line_height = size.height + baseline;
  const int x = Scaled(box.x1, scale);
  const int y_min = Scaled(box.y1, scale);
  const int y = y_min < line_height ? 0 : y_min - (line_height + Scaled(8, scale));
  cv::rectangle(bgr, cv::Point(x, y), cv::Point(x + size.width + Scaled(2, scale), y + line_height),
                colour, cv::FILLED);
  cv::putText(bgr, text, cv::Point(x, y + line_height - Scaled(3, scale)), kFont, font_scale,
              cv::Scalar(0, 0, 0), text_thickness);
}

void DrawOverlays(cv::Mat& bgr, const OverlayData& data, const OverlayLayers& layers,
                  double scale) {
  if (layers.bbox) {
    for (const OverlayObject& object : data.objects) {
      const bool matched = object.matched;
      DrawBoxWithLabel(bgr, object.box, object.label, ObjectInfo(object.score, object.area),
                       matched ? object.colour : cv::Scalar(255, 0, 0), matched ? 2 : 1, scale);
    }
  }
  if (layers.regions) {
    for (const Box& region : data.regions) {
      DrawRectangle(bgr, region, cv::Scalar(0, 255, 0), 2, scale);
    }
  }
  if (layers.zones) {
    std::vector<cv::Point> points;
    for (const OverlayZone& zone : data.zones) {
      points.clear();
      for (const cv::Point& p : zone.polygon) {
        points.push_back(ScaledPoint(p.x, p.y, scale));
      }
      cv::polylines(bgr, points, true, zone.colour, Thickness(zone.occupied ? 8 : 2, scale));
    }
  }
  if (layers.mask && !data.mask.empty()) {
    if (data.mask.size() == bgr.size()) {
      bgr.setTo(cv::Scalar(0, 0, 0), data.mask == 0);
    } else {
      cv::Mat resized;
      cv::resize(data.mask, resized, bgr.size(), 0, 0, cv::INTER_NEAREST);
      bgr.setTo(cv::Scalar(0, 0, 0), resized == 0);
    }
  }
  if (layers.motion) {
    for (const Box& box : data.motion_boxes) {
      DrawRectangle(bgr, box, cv::Scalar(0, 0, 255), 2, scale);
    }
  }
  if (layers.timestamp) {
    cv::putText(bgr, FormatTimestamp(data.frame_time), ScaledPoint(10, 30, scale), kFont,
                0.8 * scale, cv::Scalar(255, 255, 255), Thickness(2, scale));
  }
}

void DrawSnapshotTimestamp(cv::Mat& bgr, double unix_seconds) {
  const std::string text = FormatTimestamp(unix_seconds);
  int baseline = 0;
  const int text_width = cv::getTextSize(text, kFont, 1.0, 2, &baseline).width;
  const double desired = std::max(150.0, 0.33 * bgr.cols);
  cv::putText(bgr, text, cv::Point(5, bgr.rows - 7), kFont, desired / text_width,
              cv::Scalar(255, 255, 255), 2);
}

}  // namespace corvette::image
