#pragma once

#include <atomic>
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

// A clock that only moves when told to; for tests. The code under test may read it from its own
// threads while the test moves it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(double now = 1'600'000'000.0) : now_(now), mono_(1000.0) {}
  double Now() const override { return now_.load(); }
  double Monotonic() const override { return mono_.load(); }
  void Advance(double seconds) {
    now_.fetch_add(seconds);
    mono_.fetch_add(seconds);
  }

 private:
  std::atomic<double> now_;
  std::atomic<double> mono_;
};

}  // namespace corvette::util
