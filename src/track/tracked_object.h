#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "track/geometry.h"
#include "track/tracker.h"

namespace corvette::track {

// Per-label filter of a zone (Frigate's zone `filters`); defaults as Frigate's FilterConfig.
struct ZoneFilter {
  int min_area = 0;
  int max_area = 24'000'000;
  double threshold = 0.7;
};

struct Zone {
  std::string name;
  std::vector<Point> polygon;                 // frame pixels
  std::map<std::string, ZoneFilter> filters;  // label -> filter; labels not listed pass
};

// What every tracked object of a camera shares. Immutable once handed to TrackedObject.
struct CameraObjectSettings {
  int frame_width = 0;
  int frame_height = 0;
  std::vector<Zone> zones;                   // in config order
  std::map<std::string, double> thresholds;  // label -> objects.filters.<label>.threshold
  double default_threshold = 0.7;

  double ThresholdFor(const std::string& label) const;
};

// The detection that is (or would be) an object's thumbnail (§7.2).
struct ThumbnailData {
  double frame_time = 0.0;
  Box box;
  int area = 0;
  Box region;
  double score = 0.0;
};

// §7.1: whether `candidate` makes a better thumbnail than `current` on a frame of the given size.
bool IsBetterThumbnail(const ThumbnailData& current, const ThumbnailData& candidate,
                       int frame_width, int frame_height);

// §5.1: median of the history padded with zeros to length >= 3 (even length: mean of the middle
// two).
double ComputeScore(const std::vector<double>& history);

// A message for <prefix>/events (§8.1). before/after are ToJson() forms.
struct EventMessage {
  std::string type;  // "new", "update" or "end"
  nlohmann::json before;
  nlohmann::json after;

  nlohmann::json ToJson() const;  // {"before", "after", "type"}
};

// The object processor's state of one tracked object (§6.1): score history and true-positive
// decision (§5.1), zones (§6.2), best thumbnail (§7.2) and the MQTT publish throttling (§8.1).
// Not thread-safe; owned by the camera processor thread.
class TrackedObject {
 public:
  // Seconds between two published updates of an event (§8.1).
  static constexpr double kPublishInterval = 5.0;
  // Score history length (§5.1).
  static constexpr size_t kHistoryLength = 10;

  // `first` is the tracker's record on the frame the object was registered; the first frame does
  // not run the update logic (as 0.8): history = [score], false positive, no thumbnail, no zones.
  TrackedObject(std::string camera, const TrackedRecord& first,
                std::shared_ptr<const CameraObjectSettings> settings);

  // Runs §5.1, §7.2 and §6.2 for a later frame. `record` is the tracker's current record of this
  // object; it was matched on this frame when record.frame_time == frame_time. The score history
  // gets the score when matched, 0.0 when missed although examined (record.examined), and nothing
  // when the detector did not look at the object (a still object between re-checks is not "gone").
  // Returns true on a significant update (new thumbnail, or a change of current zones of a true
  // positive), which also sets last_updated = frame_time.
  bool Update(double frame_time, const TrackedRecord& record);

  // After Update: the <prefix>/events message due on this frame, if any (new/update), and marks it
  // published. False positives never produce one.
  std::optional<EventMessage> TakeDueMessage(double frame_time);

  // Ends the object: end_time = the last time it was seen (its last matched frame time, not the
  // current time). Returns the "end" message for a true positive. Idempotent after the first call.
  std::optional<EventMessage> End();

  // to_dict of §6.1 with "thumbnail": null; end_time null until ended.
  nlohmann::json ToJson() const;

  const std::string& id() const { return record_.id; }
  const std::string& label() const { return record_.label; }
  const std::string& camera() const { return camera_; }
  const TrackedRecord& record() const { return record_; }
  const std::vector<double>& score_history() const { return score_history_; }
  double computed_score() const { return computed_score_; }
  double top_score() const { return top_score_; }
  bool false_positive() const { return false_positive_; }
  const std::vector<std::string>& current_zones() const { return current_zones_; }
  // In the order first entered.
  const std::vector<std::string>& entered_zones() const { return entered_zones_; }
  const std::optional<ThumbnailData>& thumbnail() const { return thumbnail_; }
  // True when the thumbnail was taken on the frame of the last Update.
  bool thumbnail_from_last_update() const { return thumbnail_changed_; }
  double last_updated() const { return last_updated_; }
  double last_published() const { return last_published_; }
  std::optional<double> end_time() const { return end_time_; }
  bool ended() const { return end_time_.has_value(); }

 private:
  bool PassesZoneFilter(const Zone& zone) const;

  std::string camera_;
  std::shared_ptr<const CameraObjectSettings> settings_;
  double threshold_;
  TrackedRecord record_;
  std::vector<double> score_history_;
  double computed_score_ = 0.0;
  double top_score_ = 0.0;
  bool false_positive_ = true;
  std::vector<std::string> current_zones_;
  std::vector<std::string> entered_zones_;
  std::vector<std::string> scratch_zones_;
  std::optional<ThumbnailData> thumbnail_;
  bool thumbnail_changed_ = false;
  double last_updated_ = 0.0;
  double last_published_ = 0.0;
  nlohmann::json previous_;
  std::optional<double> end_time_;
};

}  // namespace corvette::track
