#pragma once

// Test helpers for the tests that drive the detection chain by hand as the camera does (frames in,
// motion -> detect::DetectFrame -> track::Tracker): the hand-offs between the stages.

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "detect/frame_detection.h"
#include "track/tracker.h"
#include "video/frame.h"

namespace corvette::testing {

// `i420` (a packed I420 picture of width x height) as the camera's frame taken at `frame_time`.
inline std::shared_ptr<const video::Frame> I420Frame(const std::vector<uint8_t>& i420, int width,
                                                     int height, double frame_time) {
  auto frame = std::make_shared<video::Frame>(width, height);
  if (i420.size() != frame->size_bytes())
    throw std::invalid_argument("I420Frame: the bytes are not a width x height I420 picture");
  std::memcpy(frame->mutable_data(), i420.data(), frame->size_bytes());
  frame->set_frame_time(frame_time);
  return frame;
}

// The detections of one DetectFrame result as the tracker takes them (what Camera::Detect hands
// on); the tracker's examined regions are the result's `regions` as they are.
inline std::vector<track::Detection> TrackerDetections(const detect::FrameDetectionResult& result) {
  std::vector<track::Detection> detections;
  detections.reserve(result.detections.size());
  for (const detect::Detection& d : result.detections)
    detections.push_back({d.label, d.score, d.box, d.area, d.region});
  return detections;
}

}  // namespace corvette::testing
