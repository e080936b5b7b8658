#pragma once

// Test helper of the detector tests: a vtest.avi frame as a model input.

#include <opencv2/core.hpp>

#include "../support/vtest_frames.h"
#include "detect/region_crop.h"

namespace corvette::testing {

// Frame `frame_index` whole as one model input of size x size (CV_8UC3 RGB): the square region
// covering the frame's width, so the band below the 768x576 frame is black.
inline cv::Mat VtestWholeFrameRgb(int size, int frame_index) {
  const auto frames = ReadVtestI420(frame_index, 1);
  detect::RegionCropper cropper(size);
  cv::Mat rgb;
  cropper.Crop(detect::I420View::Packed(frames[0].data(), kVtestWidth, kVtestHeight),
               {0, 0, kVtestWidth, kVtestWidth}, &rgb);
  return rgb;
}

}  // namespace corvette::testing
