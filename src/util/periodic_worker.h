#pragma once

// PeriodicWorker: the thread of a maintenance task (event retention, the recordings maintainer,
// MQTT stats) that runs one step now and then every interval, and that Stop() ends at once
// instead of after the interval.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace corvette::util {

class PeriodicWorker {
 public:
  struct Options {
    // Names the task in the log: a step that throws is logged as "<name> failed: <what>" and the
    // next step runs on schedule.
    std::string name;
    double interval_seconds = 60.0;    // from the end of one step to the start of the next
    double first_delay_seconds = 0.0;  // from Start() to the first step
  };

  // `step` runs on the worker's thread only, one call at a time; it must not call Stop().
  PeriodicWorker(Options options, std::function<void()> step);
  ~PeriodicWorker();  // Stop()
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  // Start and Stop are called by the owner's thread (not concurrently with each other).
  // Starts the thread; does nothing while it runs. A stopped worker may be started again.
  void Start();
  // Ends the thread: returns once the step in progress (if any) has finished, without waiting
  // out the interval or the first delay. Idempotent.
  void Stop();

 private:
  void Run();

  const Options options_;
  const std::function<void()> step_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace corvette::util
