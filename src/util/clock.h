#pragma once

#include <chrono>

namespace corvette::util {

// The seam for time: code that decides by time takes a Clock& so tests can move time by hand.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in seconds since the UNIX epoch (event and frame timestamps, as Frigate).
  virtual double Now() const = 0;
  // Monotonic seconds, for intervals, timeouts and rates.
  virtual double Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  double Now() const override;
  double Monotonic() const override;
  // The process-wide real clock.
  static SystemClock& Instance();
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(double now = 1'600'000'000.0) : now_(now), mono_(1000.0) {}
  double Now() const override { return now_; }
  double Monotonic() const override { return mono_; }
  void Advance(double seconds) {
    now_ += seconds;
    mono_ += seconds;
  }

 private:
  double now_;
  double mono_;
};

}  // namespace corvette::util
