#pragma once

#include <cstdint>
#include <random>

#include "util/clock.h"

namespace corvette::video {

struct BackoffOptions {
  double initial_seconds = 1.0;
  double max_seconds = 30.0;
  double multiplier = 2.0;
  // Each delay is drawn uniformly from [d * (1 - jitter), min(d * (1 + jitter), max_seconds)]
  // around the nominal d = min(initial * multiplier^n, max_seconds), so cameras that failed
  // together do not retry in step.
  double jitter = 0.2;
  // A start that stays healthy this long resets the schedule to the initial delay.
  double healthy_reset_seconds = 60.0;
};

// Restart delays for a supervised process: nominal 1, 2, 4, 8, 16, 30, 30, ... seconds (defaults)
// with jitter, back to the start after a run that was healthy for healthy_reset_seconds. Times come
// from clock.Monotonic(). Not thread-safe; `clock` must outlive the Backoff.
class Backoff {
 public:
  Backoff(const BackoffOptions& options, const util::Clock& clock,
          uint64_t seed = std::random_device{}());

  // The process was (re)started now, or became healthy now (e.g. delivered a frame after a
  // restart).
  void MarkStarted();
  // The process failed now: how long to wait before starting it again. When the run since
  // MarkStarted() lasted at least healthy_reset_seconds, the schedule starts over first.
  double NextDelay();
  // Starts the schedule over.
  void Reset() { failures_ = 0; }

  // Failures counted in the current schedule.
  int failures() const { return failures_; }
  // The delay before jitter for the next failure.
  double NominalDelay() const;

 private:
  const BackoffOptions options_;
  const util::Clock& clock_;
  std::mt19937_64 random_;
  int failures_ = 0;
  double started_at_ = 0;
  bool started_ = false;
};

}  // namespace corvette::video
