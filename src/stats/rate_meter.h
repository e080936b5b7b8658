#pragma once

// Events-per-second over a sliding window (spec §11): rate = events in the last `window` seconds
// divided by min(time since Start(), window). camera_fps, process_fps, skipped_fps and
// detection_fps are RateMeters.

#include <cstddef>
#include <mutex>
#include <vector>

#include "util/clock.h"

namespace corvette::stats {

class RateMeter {
 public:
  // `clock` must outlive the meter; its Monotonic() time is used. The meter starts counting at
  // construction (as if Start() was called).
  explicit RateMeter(const util::Clock& clock = util::SystemClock::Instance(),
                     double window_seconds = 10.0);

  RateMeter(const RateMeter&) = delete;
  RateMeter& operator=(const RateMeter&) = delete;

  // Forgets every event and restarts the window (e.g. when a camera's capture restarts).
  void Start();
  // Counts one event now. Thread-safe and cheap (a lock and an append; no allocation in the
  // steady state).
  void Mark();
  // Events per second over the window; 0 before any time has passed. Thread-safe.
  double Rate() const;

  // At most this many timestamps are kept (the oldest are dropped first), which bounds memory at
  // absurd rates; the rate then saturates at kMaxEvents / window.
  static constexpr std::size_t kMaxEvents = 100'000;

 private:
  void DropOlderThan(double cutoff) const;
  void Append(double timestamp);

  const util::Clock& clock_;
  const double window_;
  mutable std::mutex mutex_;
  double start_;
  // A ring of monotonic timestamps, ascending from ring_[head_]; grows by doubling up to
  // kMaxEvents and is then reused.
  std::vector<double> ring_;
  mutable std::size_t head_ = 0;
  mutable std::size_t count_ = 0;
};

}  // namespace corvette::stats
