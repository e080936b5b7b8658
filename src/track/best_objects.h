#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "track/tracked_object.h"

namespace corvette::track {

// The best object of a camera for one label (§7.3): what best.jpg and the MQTT snapshot show.
struct BestObject {
  std::string id;
  std::string label;
  ThumbnailData thumbnail;
  nlohmann::json object;  // the object's ToJson() when it became best
};

// Best object per label of one camera (§7.3). Best objects are never cleared.
// Not thread-safe; owned by the camera processor thread (publish copies to readers).
class BestObjects {
 public:
  // best_image_timeout in seconds (Frigate's camera `best_image_timeout`, default 60).
  BestObjects(double best_image_timeout, int frame_width, int frame_height);

  // Offers a true-positive object after its Update on the frame at `frame_time`. Only objects whose
  // thumbnail was taken on this frame are considered. Returns true when it became the label's best
  // (the snapshot callback should fire).
  bool Offer(const TrackedObject& object, double frame_time);

  const BestObject* Get(const std::string& label) const;
  const std::map<std::string, BestObject>& all() const { return best_; }

 private:
  double best_image_timeout_;
  int frame_width_;
  int frame_height_;
  std::map<std::string, BestObject> best_;
};

}  // namespace corvette::track
