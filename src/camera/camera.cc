#include "camera/camera.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>

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

FramePipelineOptions PipelineOptions(const CameraOptions& options) {
  FramePipelineOptions pipeline;
  pipeline.camera = options.name;
  pipeline.width = options.width;
  pipeline.height = options.height;
  pipeline.motion = options.motion;
  pipeline.motion_mask = options.motion_mask;
  pipeline.detector_pool = options.detector_pool;
  pipeline.object_filter = options.object_filter;
  pipeline.tracker = options.tracker;
  pipeline.recheck_interval_seconds = options.recheck_interval_seconds;
  pipeline.min_object_pixels = options.min_object_pixels;
  return pipeline;
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
      pipeline_(PipelineOptions(options_)),
      process_fps_(clock_),
      detection_fps_(clock_),
      detect_enabled_(options_.detect_enabled),
      black_frame_(MakeBlackFrame(options_.width, options_.height)) {
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
    const FrameProcessing& processed = pipeline_.Process(frame);
    snapshot->motion_boxes = processed.motion_boxes;
    snapshot->regions = processed.regions;
    for (int i = 0; i < processed.detector_calls; ++i)
      detection_fps_.Mark();
    for (const detect::Detection& d : processed.detections)
      class_ids_.try_emplace(d.label, d.class_id);
  } else {
    pipeline_.SkipDetection(frame->frame_time());
  }
  for (const track::TrackedRecord& object : pipeline_.Objects()) {
    image::OverlayObject& drawn = snapshot->objects.emplace_back();
    drawn.box = object.box;
    drawn.label = object.label;
    drawn.score = static_cast<float>(object.score);
    drawn.area = object.area;
    drawn.colour = LabelColour(object.label);
    drawn.matched = object.frame_time == snapshot->frame_time;
  }
  snapshot->zone_occupied.assign(options_.zones.size(), false);
  if (options_.on_frame) {
    options_.on_frame(
        FrameResult{frame, pipeline_.Objects(), pipeline_.Removed(), detecting, *snapshot});
  }
  snapshot->frame = std::move(frame);
  state_.Publish(std::move(snapshot));
  process_fps_.Mark();
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
