#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "track/best_objects.h"
#include "track/tracked_object.h"
#include "track/tracker.h"

namespace corvette::track {

struct CameraObjectsOptions {
  std::string camera;
  TrackerOptions tracker;
  std::shared_ptr<const CameraObjectSettings> settings;  // required
  double best_image_timeout = 60.0;                      // seconds
};

// What one frame changed (Frigate's CameraState.update, §7.3, §8.1), for the camera processor to
// hand to the event recorder, MQTT and the frame cache.
struct FrameOutcome {
  // Registered this frame (false positives included): the "start" of §8.1, no MQTT message.
  std::vector<std::string> started;
  // Became true positives this frame (their event row should be written now).
  std::vector<std::string> became_true_positive;
  // <prefix>/events messages due this frame, in order: new/update for updated objects, then end.
  std::vector<EventMessage> messages;
  // Objects the tracker let go this frame, ended (end_time = last seen). Moved out of the camera.
  std::vector<TrackedObject> ended;
  // Labels whose best object changed (the MQTT snapshot / best.jpg should be refreshed).
  std::vector<std::string> best_changed;
  // True when some true positive's thumbnail was taken on this frame: keep the frame.
  bool frame_is_thumbnail = false;

  void Clear();
};

// The tracked objects of one camera: Tracker + a TrackedObject per id + BestObjects.
// Not thread-safe; owned by the camera processor thread.
class CameraObjects {
 public:
  explicit CameraObjects(CameraObjectsOptions options);

  // Runs one frame: tracking, then §5.1/§6.2/§7.2 per object, publish throttling, ends and best
  // objects. `examined_regions` as Tracker::Update. `outcome` is cleared and filled.
  void Update(double frame_time, std::span<const Detection> detections,
              std::span<const Box> examined_regions, FrameOutcome& outcome);

  // Current objects by id (ended ones are gone).
  const std::map<std::string, TrackedObject>& objects() const { return objects_; }
  const TrackedObject* Find(const std::string& id) const;
  const BestObjects& best() const { return best_; }

  // True-positive objects per label.
  std::map<std::string, int> CountByLabel() const;
  // True-positive objects per (zone, label) currently in the zone.
  std::map<std::pair<std::string, std::string>, int> CountByZoneAndLabel() const;
  // Frame times still referenced by a true positive's thumbnail or a best object: frames the
  // camera must keep cached (§7.2); any other cached frame may go.
  std::vector<double> ReferencedFrameTimes() const;

  const std::string& camera() const { return options_.camera; }

 private:
  CameraObjectsOptions options_;
  Tracker tracker_;
  BestObjects best_;
  std::map<std::string, TrackedObject> objects_;
};

}  // namespace corvette::track
