#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "track/geometry.h"

namespace corvette::track {

// One detection of the frame, after the detector's filters, in frame pixels.
struct Detection {
  std::string label;
  double score = 0.0;
  Box box;
  int area = 0;  // as the detector computed it (normally box.area())
  Box region;    // the region the detector ran on
};

// A tracked object as the tracker knows it (Frigate 0.8's tracker dict, §6).
struct TrackedRecord {
  std::string id;  // "<start frame_time>-<6 chars [a-z0-9]>"
  std::string label;
  double score = 0.0;
  Box box;
  int area = 0;
  Box region;
  double frame_time =
      0.0;  // frame time of the last match (== the current frame time if matched now)
  Point centroid;
  double start_time = 0.0;  // frame time of registration
  int disappeared = 0;      // consecutive examined frames without a match
  // Whether the detector looked at this object on the frame of the last Update (matched and new
  // objects were; a missed one was if its box lay in an examined region). TrackedObject scores a
  // miss only when it was examined.
  bool examined = true;
  // Motion estimate of the centroid, pixels per second (0 until the second match).
  double velocity_x = 0.0;
  double velocity_y = 0.0;
};

struct TrackerOptions {
  // An object is removed on its (max_disappeared + 1)-th consecutive examined miss (as 0.8).
  int max_disappeared = 25;
  // Distance gate: a detection may continue a tracked object only when its centroid is within
  // max_distance_factor x (the larger diagonal of the two boxes) of the object's predicted or last
  // centroid.
  double max_distance_factor = 1.0;
  // A missed object counts as examined (and ages) only when at least this fraction of its last box
  // lies inside one of the frame's examined regions.
  double min_examined_fraction = 0.5;
  // The prediction extrapolates the velocity over at most this many seconds since the last match.
  double max_prediction_seconds = 1.0;
  // Seed of the id suffix generator; unset = random.
  std::optional<std::uint64_t> seed;
};

// Centroid tracker for one camera, fixing Frigate 0.8's defects (§6, §13 items 8 and 10):
// - every label is matched and aged every frame; every detection either continues an object or
//   registers a new one (none is dropped);
// - matching is global per label: all (object, detection) pairs inside the distance gate, greedily
//   accepted by ascending distance (the nearer of the object's predicted centroid, by constant
//   velocity, and its last centroid);
// - a missed object ages only if the detector actually looked at it this frame: the caller passes
// the
//   regions the detector ran on, and objects outside all of them keep their id and their miss
//   count. So a still object survives as long as the camera processor re-checks its region from
//   time to time and finds it; it ends after max_disappeared + 1 re-checks that did not find it. To
//   age every object (e.g. detection switched off) pass one region covering the whole frame.
// Not thread-safe; owned by the camera processor thread. Update does not allocate once the internal
// buffers have grown to the scene's object counts (ids and new registrations aside).
class Tracker {
 public:
  explicit Tracker(TrackerOptions options = {});

  // Matches the frame's detections. examined_regions are the regions the detector ran on this
  // frame.
  void Update(double frame_time, std::span<const Detection> detections,
              std::span<const Box> examined_regions);

  // Current objects in registration order.
  const std::vector<TrackedRecord>& Objects() const { return objects_; }
  // Objects removed by the last Update (their frame_time is the last time they were seen).
  const std::vector<TrackedRecord>& Removed() const { return removed_; }
  // Forgets every object (they are not reported as removed).
  void Clear();

  const TrackerOptions& options() const { return options_; }

 private:
  struct Candidate {
    double distance;
    int object;
    int detection;
  };

  bool Examined(const TrackedRecord& object, std::span<const Box> regions) const;
  std::string NewId(double frame_time);

  TrackerOptions options_;
  std::mt19937_64 random_;
  std::vector<TrackedRecord> objects_;
  std::vector<TrackedRecord> removed_;
  // Per-frame scratch, kept to avoid allocating.
  std::vector<Candidate> candidates_;
  std::vector<int> object_match_;
  std::vector<char> detection_taken_;
  std::vector<TrackedRecord> kept_;
};

// Python's repr of a float for frame times: the shortest text that reads back as the same double,
// in fixed notation, with ".0" for whole numbers ("1607123955.475377", "1607123955.0").
std::string FormatFrameTime(double frame_time);

}  // namespace corvette::track
