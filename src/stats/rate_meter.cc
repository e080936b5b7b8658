#include "stats/rate_meter.h"

#include <algorithm>

namespace corvette::stats {

RateMeter::RateMeter(const util::Clock& clock, double window_seconds)
    : clock_(clock), window_(window_seconds), start_(clock.Monotonic()), ring_(64) {}

void RateMeter::Start() {
  std::lock_guard lock(mutex_);
  start_ = clock_.Monotonic();
  head_ = 0;
  count_ = 0;
}

void RateMeter::Mark() {
  const double now = clock_.Monotonic();
  std::lock_guard lock(mutex_);
  DropOlderThan(now - window_);
  Append(now);
}

double RateMeter::Rate() const {
  const double now = clock_.Monotonic();
  std::lock_guard lock(mutex_);
  DropOlderThan(now - window_);
  const double elapsed = std::min(now - start_, window_);
  if (elapsed <= 0.0) {
    return 0.0;
  }
  return static_cast<double>(count_) / elapsed;
}

void RateMeter::DropOlderThan(double cutoff) const {
  // Only events strictly newer than now - window count (spec §11).
  while (count_ > 0 && ring_[head_] <= cutoff) {
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
}

void RateMeter::Append(double timestamp) {
  if (count_ == ring_.size()) {
    if (ring_.size() < kMaxEvents) {
      std::vector<double> bigger(std::min(ring_.size() * 2, kMaxEvents));
      for (std::size_t i = 0; i < count_; ++i) {
        bigger[i] = ring_[(head_ + i) % ring_.size()];
      }
      ring_ = std::move(bigger);
      head_ = 0;
    } else {
      // Full at the cap: the oldest event makes room.
      head_ = (head_ + 1) % ring_.size();
      --count_;
    }
  }
  ring_[(head_ + count_) % ring_.size()] = timestamp;
  ++count_;
}

}  // namespace corvette::stats
