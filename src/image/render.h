#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "image/geometry.h"
#include "image/jpeg.h"
#include "image/overlay.h"
#include "image/yuv.h"

namespace corvette::image {

// The options of a live image (latest.jpg, MJPEG): output height and overlay layers.
struct RenderOptions {
  int height = 0;  // output height in pixels; 0 = the frame's own height
  OverlayLayers layers;
  friend bool operator==(const RenderOptions&, const RenderOptions&) = default;
};

// Renders a live frame to JPEG (spec 9.2). The output is `height` high and ScaledWidth(...) wide
// (the width rounded to even; Frigate truncates, so an odd width may differ by one pixel).
// Without layers the frame never leaves I420: resized per plane if needed, then encoded directly.
// With layers it is resized in I420, converted to BGR at the output size and drawn on there with
// coordinates scaled (DrawOverlays). Thread-safe; scratch buffers are per thread. Throws JpegError.
std::string RenderFrameJpeg(const I420View& frame, const RenderOptions& options,
                            const OverlayData& overlay, int quality = kJpegQuality);

// The object a snapshot or thumbnail shows, with the frame it was taken from.
struct SnapshotObject {
  Box box;
  std::string label;
  float score = 0;
  int area = 0;
  cv::Scalar colour;  // Tab10Colour of the label
  double frame_time = 0;
};

// Frigate's get_jpg_bytes options (spec 7.4).
struct SnapshotOptions {
  bool timestamp = false;
  bool bounding_box = false;
  bool crop = false;
  int height = 0;  // 0 = keep the (cropped) height
};

// Frigate's snapshot rendering, in its order: box and tag, crop to CalculateRegion(box, 1.1)
// clipped to the frame, resize to `height` (width int(height * w / h), area interpolation),
// timestamp. Returns the BGR image (for tests and callers that encode themselves).
cv::Mat RenderSnapshot(const I420View& frame, const SnapshotObject& object,
                       const SnapshotOptions& options);
// RenderSnapshot encoded at quality 70. Throws JpegError.
std::string RenderSnapshotJpeg(const I420View& frame, const SnapshotObject& object,
                               const SnapshotOptions& options);

// The event thumbnail: crop, height 175, no box, no timestamp. With no frame (`frame` null) a
// black 175x175 JPEG, as Frigate.
std::string RenderThumbnailJpeg(const I420View* frame, const SnapshotObject& object);

// A black width x height JPEG (best.jpg without an object, missing thumbnails).
std::string BlackJpeg(int width, int height);

// The thumbnail's `format=android`: black borders of int(w * 0.5) on the left and right (2:1 for
// a square), re-encoded at quality 70. Throws JpegError when `jpeg` does not decode.
std::string AndroidThumbnail(std::string_view jpeg);

}  // namespace corvette::image
