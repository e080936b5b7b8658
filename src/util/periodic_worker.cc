#include "util/periodic_worker.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

namespace corvette::util {

PeriodicWorker::PeriodicWorker(Options options, std::function<void()> step)
    : options_(std::move(options)), step_(std::move(step)) {}

PeriodicWorker::~PeriodicWorker() {
  Stop();
}

void PeriodicWorker::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable())
    return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void PeriodicWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void PeriodicWorker::Run() {
  std::unique_lock lock(mutex_);
  double wait = options_.first_delay_seconds;
  while (!wake_.wait_for(lock, std::chrono::duration<double>(wait), [this] { return stopping_; })) {
    lock.unlock();
    try {
      step_();
    } catch (const std::exception& e) {
      spdlog::error("{} failed: {}", options_.name, e.what());
    }
    lock.lock();
    wait = options_.interval_seconds;
  }
}

}  // namespace corvette::util
