#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

#include "detect/detection.h"
#include "image/yuv.h"

namespace corvette::detect {

// A read-only view of an I420 frame (image::I420View; the planes are not owned).
using I420View = image::I420View;

// Turns a square region of an I420 frame into the model's RGB input (section 4.5 of the behaviour
// spec): the square of side region.width() / 4 * 4 at (region.x1, region.y1) is taken straight from
// the planes, pixels outside the frame are black (Y=16, U=V=128), and the result is scaled with
// bilinear interpolation to model_size x model_size RGB. The region may extend past any edge of the
// frame.
//
// Scaling is done on the Y, U and V planes before the colour conversion, so the conversion runs at
// the model size whatever the region size. Holds its scratch buffers: no allocation per call once
// it has seen the largest region. Not thread-safe: one per worker thread.
class RegionCropper {
 public:
  // model_size must be even and positive.
  explicit RegionCropper(int model_size);

  int model_size() const { return model_size_; }

  // Writes the model input into *rgb (CV_8UC3, model_size x model_size; (re)created when it is
  // not). Throws std::invalid_argument for an odd frame size or an empty region.
  void Crop(const I420View& frame, const PixelBox& region, cv::Mat* rgb);

 private:
  int model_size_;
  cv::Mat square_;      // region-sized plane assembled with the black fill, reused for Y, U and V
  cv::Mat i420_model_;  // model_size * 3 / 2 rows x model_size: the scaled I420 image
};

}  // namespace corvette::detect
