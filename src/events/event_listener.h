#pragma once

#include <memory>
#include <string>

#include "storage/event_store.h"
#include "track/tracked_object.h"

namespace corvette::events {

// What the event processors tell the rest of the program (MQTT, clip assembly). Every callback
// runs on the worker thread of the camera's EventProcessor, in the order things happened on that
// camera; processors of different cameras call from their own threads, so an implementation must
// be thread-safe. Callbacks should be quick (queue, do not block on the network): a slow listener
// holds up that camera's event recording.
class EventListener {
 public:
  virtual ~EventListener() = default;

  // §8.1 "start": a tracker id appeared on the camera (every new tracked object, false positives
  // included; no MQTT message). `start_time` is the object's first frame time (epoch seconds), the
  // start_time its event will have. The clip cache keeps segments from here on (§8.3), since an
  // object may turn into a true positive long after it first appeared.
  virtual void OnObjectStarted(const std::string& camera, const std::string& id,
                               double start_time) {
    (void)camera, (void)id, (void)start_time;
  }
  // An object left the tracker without a stored event: it never became a true positive, or it did
  // and its row could not be stored. Stored true positives end with OnEventStored instead.
  virtual void OnObjectEndedWithoutEvent(const std::string& camera, const std::string& id) {
    (void)camera, (void)id;
  }

  // <prefix>/events (§8.1): "new", "update" or "end" for a true positive; before/after are
  // TrackedObject::ToJson() forms ("thumbnail": null).
  virtual void OnEventMessage(const track::EventMessage& message) { (void)message; }

  // <prefix>/<name>/<label> (§10): `name` is a camera (true-positive objects of the label on it)
  // or a zone (summed over every camera that has a zone of that name). Only on change; the first
  // report of a (name, label) is non-zero.
  virtual void OnCountChanged(const std::string& name, const std::string& label, int count) {
    (void)name, (void)label, (void)count;
  }

  // <prefix>/<camera>/<label>/snapshot (retained, §7.3/§10): a new best object of the label, or
  // the current one again when the label's count returned to 0; rendered with the camera's mqtt
  // options. Only when the camera's mqtt snapshots are enabled and its mqtt.required_zones are
  // satisfied.
  virtual void OnBestSnapshot(const std::string& camera, const std::string& label,
                              std::shared_ptr<const std::string> jpeg) {
    (void)camera, (void)label, (void)jpeg;
  }

  // A true-positive event ended and its final row is committed (has_snapshot set if its snapshot
  // file was written). `clip_wanted` is 0.8's clip decision at the end (§8.1: clips enabled now,
  // label in clips.objects, clips.required_zones entered): the clip assembler makes the clip and
  // then calls EventStore::SetHasClip.
  virtual void OnEventStored(const storage::EventRecord& event, bool clip_wanted) {
    (void)event, (void)clip_wanted;
  }
};

}  // namespace corvette::events
