#include "track/camera_objects.h"

#include <algorithm>

namespace corvette::track {

void FrameOutcome::Clear() {
  started.clear();
  became_true_positive.clear();
  messages.clear();
  ended.clear();
  best_changed.clear();
  frame_is_thumbnail = false;
}

CameraObjects::CameraObjects(CameraObjectsOptions options)
    : options_(std::move(options)),
      tracker_(options_.tracker),
      best_(options_.best_image_timeout, options_.settings->frame_width,
            options_.settings->frame_height) {}

const TrackedObject* CameraObjects::Find(const std::string& id) const {
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : &it->second;
}

void CameraObjects::Update(double frame_time, std::span<const Detection> detections,
                           std::span<const Box> examined_regions, FrameOutcome& outcome) {
  outcome.Clear();
  tracker_.Update(frame_time, detections, examined_regions);

  for (const TrackedRecord& record : tracker_.Objects()) {
    auto it = objects_.find(record.id);
    if (it == objects_.end()) {
      objects_.emplace(record.id, TrackedObject(options_.camera, record, options_.settings));
      outcome.started.push_back(record.id);
      continue;
    }
    TrackedObject& object = it->second;
    const bool was_false_positive = object.false_positive();
    object.Update(frame_time, record);
    if (was_false_positive && !object.false_positive()) {
      outcome.became_true_positive.push_back(record.id);
    }
    if (auto message = object.TakeDueMessage(frame_time)) {
      outcome.messages.push_back(std::move(*message));
    }
    if (!object.false_positive() && object.thumbnail_from_last_update()) {
      outcome.frame_is_thumbnail = true;
      if (best_.Offer(object, frame_time))
        outcome.best_changed.push_back(object.label());
    }
  }

  for (const TrackedRecord& removed : tracker_.Removed()) {
    auto it = objects_.find(removed.id);
    if (it == objects_.end())
      continue;
    TrackedObject object = std::move(it->second);
    objects_.erase(it);
    if (auto message = object.End())
      outcome.messages.push_back(std::move(*message));
    outcome.ended.push_back(std::move(object));
  }
}

std::map<std::string, int> CameraObjects::CountByLabel() const {
  std::map<std::string, int> counts;
  for (const auto& [id, object] : objects_) {
    if (!object.false_positive())
      ++counts[object.label()];
  }
  return counts;
}

std::map<std::pair<std::string, std::string>, int> CameraObjects::CountByZoneAndLabel() const {
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const auto& [id, object] : objects_) {
    if (object.false_positive())
      continue;
    for (const std::string& zone : object.current_zones())
      ++counts[{zone, object.label()}];
  }
  return counts;
}

std::vector<double> CameraObjects::ReferencedFrameTimes() const {
  std::vector<double> times;
  for (const auto& [id, object] : objects_) {
    if (!object.false_positive() && object.thumbnail())
      times.push_back(object.thumbnail()->frame_time);
  }
  for (const auto& [label, best] : best_.all())
    times.push_back(best.thumbnail.frame_time);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  return times;
}

}  // namespace corvette::track
