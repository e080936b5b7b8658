#include "video/backoff.h"

#include <algorithm>
#include <cmath>

namespace corvette::video {

Backoff::Backoff(const BackoffOptions& options, const util::Clock& clock, uint64_t seed)
    : options_(options), clock_(clock), random_(seed) {}

void Backoff::MarkStarted() {
  started_at_ = clock_.Monotonic();
  started_ = true;
}

double Backoff::NominalDelay() const {
  double delay = options_.initial_seconds * std::pow(options_.multiplier, failures_);
  return std::min(delay, options_.max_seconds);
}

double Backoff::NextDelay() {
  if (started_ && clock_.Monotonic() - started_at_ >= options_.healthy_reset_seconds) {
    failures_ = 0;
  }
  started_ = false;
  double nominal = NominalDelay();
  failures_ = std::min(failures_ + 1, 1000);
  double low = nominal * (1.0 - options_.jitter);
  double high = std::min(nominal * (1.0 + options_.jitter), options_.max_seconds);
  if (high <= low) {
    return std::max(low, 0.0);
  }
  return std::uniform_real_distribution<double>(low, high)(random_);
}

}  // namespace corvette::video
