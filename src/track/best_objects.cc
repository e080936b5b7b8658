#include "track/best_objects.h"

namespace corvette::track {

BestObjects::BestObjects(double best_image_timeout, int frame_width, int frame_height)
    : best_image_timeout_(best_image_timeout),
      frame_width_(frame_width),
      frame_height_(frame_height) {}

bool BestObjects::Offer(const TrackedObject& object, double frame_time) {
  if (object.false_positive() || !object.thumbnail() ||
      object.thumbnail()->frame_time != frame_time) {
    return false;
  }
  auto it = best_.find(object.label());
  if (it != best_.end()) {
    const ThumbnailData& current = it->second.thumbnail;
    const bool better =
        IsBetterThumbnail(current, *object.thumbnail(), frame_width_, frame_height_);
    const bool stale = frame_time - current.frame_time > best_image_timeout_;
    if (!better && !stale)
      return false;
  }
  BestObject& best = best_[object.label()];
  best.id = object.id();
  best.label = object.label();
  best.thumbnail = *object.thumbnail();
  best.object = object.ToJson();
  return true;
}

const BestObject* BestObjects::Get(const std::string& label) const {
  auto it = best_.find(label);
  return it == best_.end() ? nullptr : &it->second;
}

}  // namespace corvette::track
