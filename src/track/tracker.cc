#include "track/tracker.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace corvette::track {

std::string FormatFrameTime(double frame_time) {
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), frame_time, std::chars_format::fixed);
  std::string text(buffer, ec == std::errc() ? end : buffer);
  if (text.find('.') == std::string::npos)
    text += ".0";
  return text;
}

Tracker::Tracker(TrackerOptions options) : options_(options) {
  random_.seed(options_.seed ? *options_.seed : std::random_device{}());
}

void Tracker::Clear() {
  objects_.clear();
  removed_.clear();
}

bool Tracker::Examined(const TrackedRecord& object, std::span<const Box> regions) const {
  const long long area = std::max(1, object.box.area());
  for (const Box& region : regions) {
    if (static_cast<double>(IntersectionArea(object.box, region)) >=
        options_.min_examined_fraction * static_cast<double>(area)) {
      return true;
    }
  }
  return false;
}

std::string Tracker::NewId(double frame_time) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  const std::string prefix = FormatFrameTime(frame_time) + "-";
  for (;;) {
    std::string id = prefix;
    std::uniform_int_distribution<int> pick(0, 35);
    for (int i = 0; i < 6; ++i)
      id += kAlphabet[pick(random_)];
    const bool taken = std::any_of(objects_.begin(), objects_.end(),
                                   [&](const TrackedRecord& o) { return o.id == id; });
    if (!taken)
      return id;
  }
}

namespace {

double Diagonal(const Box& box) {
  return std::hypot(box.width(), box.height());
}

struct PointF {
  double x;
  double y;
};

PointF Centre(const Box& box) {
  return {(box.x1 + box.x2) / 2.0, (box.y1 + box.y2) / 2.0};
}

}  // namespace

void Tracker::Update(double frame_time, std::span<const Detection> detections,
                     std::span<const Box> examined_regions) {
  removed_.clear();
  const int n_objects = static_cast<int>(objects_.size());
  const int n_detections = static_cast<int>(detections.size());

  // Every gated (object, detection) pair of the same label.
  candidates_.clear();
  for (int o = 0; o < n_objects; ++o) {
    const TrackedRecord& object = objects_[o];
    const double dt =
        std::clamp(frame_time - object.frame_time, 0.0, options_.max_prediction_seconds);
    const PointF centre = Centre(object.box);
    const PointF predicted{centre.x + object.velocity_x * dt, centre.y + object.velocity_y * dt};
    for (int d = 0; d < n_detections; ++d) {
      const Detection& detection = detections[d];
      if (detection.label != object.label)
        continue;
      const PointF c = Centre(detection.box);
      // Nearer of the predicted and the last position: prediction separates crossing objects, the
      // last position keeps an object that stopped while unseen.
      const double distance = std::min(std::hypot(c.x - predicted.x, c.y - predicted.y),
                                       std::hypot(c.x - centre.x, c.y - centre.y));
      const double gate =
          options_.max_distance_factor * std::max(Diagonal(object.box), Diagonal(detection.box));
      if (distance <= gate)
        candidates_.push_back({distance, o, d});
    }
  }
  // Greedy by ascending distance; ties broken by object then detection order for determinism.
  std::sort(candidates_.begin(), candidates_.end(), [](const Candidate& a, const Candidate& b) {
    if (a.distance != b.distance)
      return a.distance < b.distance;
    if (a.object != b.object)
      return a.object < b.object;
    return a.detection < b.detection;
  });
  object_match_.assign(n_objects, -1);
  detection_taken_.assign(n_detections, 0);
  for (const Candidate& c : candidates_) {
    if (object_match_[c.object] >= 0 || detection_taken_[c.detection])
      continue;
    object_match_[c.object] = c.detection;
    detection_taken_[c.detection] = 1;
  }

  // Update matched objects, age the examined misses, keep registration order.
  kept_.clear();
  for (int o = 0; o < n_objects; ++o) {
    TrackedRecord& object = objects_[o];
    const int d = object_match_[o];
    if (d >= 0) {
      const Detection& detection = detections[d];
      const double dt = frame_time - object.frame_time;
      if (dt > 0) {
        const PointF before = Centre(object.box);
        const PointF after = Centre(detection.box);
        const double vx = (after.x - before.x) / dt;
        const double vy = (after.y - before.y) / dt;
        const bool first = object.frame_time == object.start_time;
        object.velocity_x = first ? vx : 0.5 * object.velocity_x + 0.5 * vx;
        object.velocity_y = first ? vy : 0.5 * object.velocity_y + 0.5 * vy;
      }
      object.score = detection.score;
      object.box = detection.box;
      object.area = detection.area;
      object.region = detection.region;
      object.frame_time = frame_time;
      object.centroid = Centroid(detection.box);
      object.disappeared = 0;
      object.examined = true;
    } else if (Examined(object, examined_regions)) {
      object.examined = true;
      if (object.disappeared >= options_.max_disappeared) {
        removed_.push_back(std::move(object));
        continue;
      }
      ++object.disappeared;
    } else {
      object.examined = false;
    }
    kept_.push_back(std::move(object));
  }
  objects_.swap(kept_);

  // Every detection nobody continued is a new object.
  for (int d = 0; d < n_detections; ++d) {
    if (detection_taken_[d])
      continue;
    const Detection& detection = detections[d];
    TrackedRecord record;
    record.id = NewId(frame_time);
    record.label = detection.label;
    record.score = detection.score;
    record.box = detection.box;
    record.area = detection.area;
    record.region = detection.region;
    record.frame_time = frame_time;
    record.centroid = Centroid(detection.box);
    record.start_time = frame_time;
    objects_.push_back(std::move(record));
  }
}

}  // namespace corvette::track
