#include "camera/camera.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "detect/frame_detection.h"
#include "detect/region_planner.h"
#include "image/yuv.h"

namespace corvette::camera {
namespace {

const util::Clock& ClockOf(const CameraOptions& options) {
  return options.clock ? *options.clock : util::SystemClock::Instance();
}

video::CameraSupervisorOptions CaptureOptions(const CameraOptions& options) {
  video::CameraSupervisorOptions capture = options.capture;
  capture.camera = options.name;
  capture.width = options.width;
  capture.height = options.height;
  if (capture.clock == nullptr)
    capture.clock = options.clock;
  return capture;
}

image::I420View ViewOf(const video::Frame& frame) {
  return image::I420View::Packed(frame.data(), frame.width(), frame.height());
}

std::shared_ptr<const video::Frame> MakeBlackFrame(int width, int height) {
  auto frame = std::make_shared<video::Frame>(width, height);
  size_t y_size = static_cast<size_t>(width) * height;
  std::memset(frame->mutable_data(), 16, y_size);
  std::memset(frame->mutable_data() + y_size, 128, frame->size_bytes() - y_size);
  return frame;
}

}  // namespace

Camera::Camera(CameraOptions options)
    : options_(std::move(options)),
      clock_(ClockOf(options_)),
      supervisor_(CaptureOptions(options_)),
      motion_(options_.width, options_.height, options_.motion, options_.motion_mask),
      process_fps_(clock_),
      detection_fps_(clock_),
      detect_enabled_(options_.detect_enabled),
      tracker_(options_.tracker),
      black_frame_(MakeBlackFrame(options_.width, options_.height)) {
  if (options_.detector_pool != nullptr && options_.object_filter == nullptr) {
    throw std::invalid_argument("camera " + options_.name + ": detection needs an object filter");
  }
  int zone_count = static_cast<int>(options_.zones.size());
  for (int i = 0; i < zone_count; ++i) {
    image::OverlayZone zone;
    zone.polygon = options_.zones[i].polygon;
    zone.colour = image::Tab10Colour(i, zone_count);
    overlay_zones_.push_back(std::move(zone));
  }
}

Camera::~Camera() {
  Stop();
}

void Camera::Start() {
  supervisor_.Start();
  thread_ = std::thread([this] { Process(); });
}

void Camera::RequestStop() {
  stop_.store(true);
  supervisor_.RequestStop();
}

void Camera::Stop() {
  RequestStop();
  supervisor_.Stop();  // closes the frame queue, which wakes the processor
  if (thread_.joinable())
    thread_.join();
}

CameraStats Camera::Stats() const {
  CameraStats stats;
  stats.camera_fps = supervisor_.camera_fps();
  stats.skipped_fps = supervisor_.skipped_fps();
  stats.process_fps = process_fps_.Rate();
  stats.detection_fps = detection_fps_.Rate();
  stats.pid = getpid();
  stats.capture_pid = supervisor_.capture_pid();
  stats.roles = supervisor_.status().roles;
  return stats;
}

void Camera::Process() {
  video::FrameQueue& frames = supervisor_.frames();
  while (!stop_.load()) {
    std::shared_ptr<const video::Frame> frame = frames.Pop(0.5);
    if (frame == nullptr) {
      if (frames.closed())
        break;
      continue;
    }
    ProcessFrame(std::move(frame));
  }
}

void Camera::ProcessFrame(std::shared_ptr<const video::Frame> frame) {
  auto snapshot = std::make_shared<CameraSnapshot>();
  snapshot->frame_time = frame->frame_time();
  snapshot->sequence = frame->sequence() + 1;  // 0 is "no frame yet"
  bool detecting = detect_enabled();
  if (detecting) {
    Detect(frame, *snapshot);
  } else if (!tracker_.Objects().empty()) {
    // As 0.8: with detection off every object misses every frame, so all of them end.
    track::Box whole{0, 0, options_.width, options_.height};
    tracker_.Update(frame->frame_time(), {}, std::span<const track::Box>(&whole, 1));
  }
  for (const track::TrackedRecord& object : tracker_.Objects()) {
    image::OverlayObject& drawn = snapshot->objects.emplace_back();
    drawn.box = object.box;
    drawn.label = object.label;
    drawn.score = static_cast<float>(object.score);
    drawn.area = object.area;
    drawn.colour = LabelColour(object.label);
    drawn.matched = object.frame_time == snapshot->frame_time;
  }
  for (const track::TrackedRecord& removed : tracker_.Removed())
    last_recheck_.erase(removed.id);
  snapshot->zone_occupied.assign(options_.zones.size(), false);
  if (options_.on_frame) {
    options_.on_frame(
        FrameResult{frame, tracker_.Objects(), tracker_.Removed(), detecting, *snapshot});
  }
  snapshot->frame = std::move(frame);
  state_.Publish(std::move(snapshot));
  process_fps_.Mark();
}

void Camera::Detect(const std::shared_ptr<const video::Frame>& frame, CameraSnapshot& snapshot) {
  const auto& boxes = motion_.Detect(frame->y(), frame->width());
  snapshot.motion_boxes.assign(boxes.begin(), boxes.end());
  if (options_.detector_pool == nullptr)
    return;

  double now = frame->frame_time();
  std::vector<detect::PixelBox> motion;
  motion.reserve(boxes.size() + tracker_.Objects().size());
  motion.insert(motion.end(), boxes.begin(), boxes.end());
  std::vector<detect::PixelBox> tracked;
  tracked.reserve(tracker_.Objects().size());
  size_t real_motion = motion.size();
  for (const track::TrackedRecord& object : tracker_.Objects()) {
    const detect::PixelBox& box = object.box;
    tracked.push_back(box);
    bool touches_motion = false;
    for (size_t i = 0; i < real_motion && !touches_motion; ++i) {
      touches_motion = detect::Intersects(box, motion[i]);
    }
    if (touches_motion)
      continue;
    // A still object: look at it again from time to time (and every frame after a miss), as if
    // it moved, so that it keeps its id while it is there and ends when it is gone.
    double& last_look = last_recheck_[object.id];
    double since = now - std::max(object.frame_time, last_look);
    if (object.disappeared > 0 || since >= options_.recheck_interval_seconds) {
      motion.push_back(box);
      last_look = now;
    }
  }
  if (motion.empty()) {
    tracker_.Update(now, {}, {});
    return;
  }

  detect::FrameDetectionResult result = detect::DetectFrame(
      *options_.detector_pool, *options_.object_filter, options_.name, frame,
      detect::I420View::Packed(frame->data(), frame->width(), frame->height()), motion, tracked);
  for (int i = 0; i < result.detector_calls; ++i)
    detection_fps_.Mark();

  snapshot.regions.assign(result.regions.begin(), result.regions.end());
  std::vector<track::Detection> detections;
  detections.reserve(result.detections.size());
  for (const detect::Detection& d : result.detections) {
    class_ids_.try_emplace(d.label, d.class_id);
    track::Detection& t = detections.emplace_back();
    t.label = d.label;
    t.score = d.score;
    t.box = d.box;
    t.area = d.area;
    t.region = d.region;
  }
  tracker_.Update(now, detections, result.regions);
}

cv::Scalar Camera::LabelColour(const std::string& label) const {
  auto it = class_ids_.find(label);
  int count = options_.detector_pool ? options_.detector_pool->labelmap().size() : 0;
  return image::Tab10Colour(it == class_ids_.end() ? 0 : it->second, count);
}

image::OverlayData Camera::OverlayFor(const CameraSnapshot& snapshot) const {
  image::OverlayData data;
  data.objects = snapshot.objects;
  data.regions = snapshot.regions;
  data.zones = overlay_zones_;
  for (size_t i = 0; i < data.zones.size() && i < snapshot.zone_occupied.size(); ++i) {
    data.zones[i].occupied = snapshot.zone_occupied[i];
  }
  data.mask = options_.motion_mask;
  data.motion_boxes = snapshot.motion_boxes;
  data.frame_time = snapshot.frame ? snapshot.frame_time : clock_.Now();
  return data;
}

std::shared_ptr<const std::string> Camera::LiveJpeg(const image::RenderOptions& options,
                                                    double max_age_seconds) const {
  std::shared_ptr<const CameraSnapshot> snapshot = state_.Latest();
  const video::Frame& frame = snapshot->frame ? *snapshot->frame : *black_frame_;
  image::JpegCacheKey key{snapshot->sequence, options};
  return state_.jpeg_cache().Get(
      key,
      [&] {
        image::OverlayData overlay;
        if (options.layers.any())
          overlay = OverlayFor(*snapshot);
        return image::RenderFrameJpeg(ViewOf(frame), options, overlay);
      },
      max_age_seconds);
}

}  // namespace corvette::camera
