#include "image/jpeg_cache.h"

#include <algorithm>

namespace corvette::image {

JpegCache::JpegCache(size_t capacity, uint64_t frames_kept, const util::Clock& clock)
    : capacity_(std::max<size_t>(1, capacity)),
      frames_kept_(std::max<uint64_t>(1, frames_kept)),
      clock_(clock) {
  entries_.reserve(capacity_ + 1);
}

JpegCache::Lookup JpegCache::Find(const JpegCacheKey& key, double max_age_seconds) {
  const double now = clock_.Monotonic();
  std::lock_guard lock(mutex_);
  ++use_counter_;
  Entry* recent = nullptr;
  for (Entry& entry : entries_) {
    if (entry.key == key) {
      recent = &entry;
      break;
    }
    if (max_age_seconds > 0 && entry.key.options == key.options &&
        entry.key.frame_sequence <= key.frame_sequence && now - entry.created <= max_age_seconds &&
        (recent == nullptr || entry.key.frame_sequence > recent->key.frame_sequence)) {
      recent = &entry;
    }
  }
  if (recent != nullptr) {
    recent->last_use = use_counter_;
    ++hits_;
    return {recent->bytes, nullptr, recent->id};
  }
  ++encodes_;
  auto promise = std::make_shared<std::promise<Bytes>>();
  std::shared_future<Bytes> future = promise->get_future().share();
  const uint64_t id = ++next_id_;
  entries_.push_back({key, future, use_counter_, id, now});
  newest_frame_ = std::max(newest_frame_, key.frame_sequence);
  EvictLocked();
  return {std::move(future), std::move(promise), id};
}

void JpegCache::EvictLocked() {
  // Frames older than the last `frames_kept_` are no longer asked for by live viewers.
  std::erase_if(entries_, [this](const Entry& e) {
    return e.key.frame_sequence + frames_kept_ <= newest_frame_;
  });
  while (entries_.size() > capacity_) {
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
          return std::pair(a.key.frame_sequence, a.last_use) <
                 std::pair(b.key.frame_sequence, b.last_use);
        });
    entries_.erase(oldest);
  }
}

void JpegCache::Forget(uint64_t entry_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [entry_id](const Entry& e) { return e.id == entry_id; });
}

uint64_t JpegCache::encodes() const {
  std::lock_guard lock(mutex_);
  return encodes_;
}

uint64_t JpegCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

size_t JpegCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace corvette::image
