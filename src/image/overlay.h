#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "image/geometry.h"

namespace corvette::image {

// Colour `index` of matplotlib's tab10 map resampled to `count` entries, as Frigate 0.8 builds its
// label colours (get_cmap('tab10', len(labelmap)), indexed by class id) and zone colours
// (get_cmap('tab10', number of zones), indexed by zone order). The Scalar holds (R, G, B) in
// that order because Frigate hands the RGB tuple straight to OpenCV on a BGR image; drawing it
// reproduces Frigate's on-screen colours. count <= 0 means 10 (plain tab10).
cv::Scalar Tab10Colour(int index, int count = 10);

// One tracked object for the bounding-box layer.
struct OverlayObject {
  Box box;
  std::string label;
  float score = 0;  // 0..1
  int area = 0;
  cv::Scalar colour;    // Tab10Colour of the label
  bool matched = true;  // seen in this frame; if not, drawn in (255,0,0) with thickness 1
};

struct OverlayZone {
  std::vector<cv::Point> polygon;  // frame pixels
  cv::Scalar colour;               // Tab10Colour of the zone
  bool occupied = false;           // any object in the zone: thickness 8, else 2
};

// What can be drawn over a frame; everything in frame pixels.
struct OverlayData {
  std::vector<OverlayObject> objects;
  std::vector<Box> regions;
  std::vector<OverlayZone> zones;
  cv::Mat mask;  // empty, or 8-bit frame-sized, 0 = masked (spec section 2.6)
  std::vector<Box> motion_boxes;
  double frame_time = 0;  // UNIX seconds, for the timestamp
};

// Which layers to draw (the latest.jpg / MJPEG query flags).
struct OverlayLayers {
  bool bbox = false;
  bool timestamp = false;
  bool zones = false;
  bool mask = false;
  bool motion = false;
  bool regions = false;

  bool any() const { return bbox || timestamp || zones || mask || motion || regions; }
  friend bool operator==(const OverlayLayers&, const OverlayLayers&) = default;
};

// "%m/%d/%Y %H:%M:%S" in local time, as Frigate's timestamps.
std::string FormatTimestamp(double unix_seconds);

// Frigate's draw_box_with_label: the box, then a filled tag in `colour` above its top-left
// corner (or at the top of the image when there is no room) holding black text
// "<label>: <info>" (Hershey simplex 0.5, thickness 2). `scale` multiplies coordinates,
// thicknesses and font size, for drawing on a resized image.
void DrawBoxWithLabel(cv::Mat& bgr, const Box& box, std::string_view label, std::string_view info,
                      const cv::Scalar& colour, int thickness = 2, double scale = 1.0);

// "<int(score*100)>% <area>", the info of an object's tag.
std::string ObjectInfo(float score, int area);

// Draws the layers of the debug view (spec 9.2) in Frigate's order: bounding boxes, regions,
// zones, mask, motion boxes, timestamp. `bgr` is the frame resized by `scale` (output height /
// frame height); coordinates, line widths and text sizes are scaled by it, so at scale 1 the
// result is Frigate's drawing pixel for pixel.
void DrawOverlays(cv::Mat& bgr, const OverlayData& data, const OverlayLayers& layers,
                  double scale = 1.0);

// Frigate's snapshot timestamp (spec 7.4): white, thickness 2, sized so the text is
// max(150, 0.33 * image width) pixels wide, baseline at (5, height - 7).
void DrawSnapshotTimestamp(cv::Mat& bgr, double unix_seconds);

}  // namespace corvette::image
