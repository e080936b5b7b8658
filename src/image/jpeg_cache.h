#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "image/render.h"
#include "util/clock.h"

namespace corvette::image {

// What a cached JPEG is of: one frame (its per-camera sequence number) rendered with one set of
// options (height included).
struct JpegCacheKey {
  uint64_t frame_sequence = 0;
  RenderOptions options;
  friend bool operator==(const JpegCacheKey&, const JpegCacheKey&) = default;
};

// One encode per (frame, options) shared by every viewer of a camera: the first request for a key
// encodes, requests for the same key made meanwhile wait for that encode instead of starting
// their own, and later ones get the same bytes. One cache per camera.
//
// Viewers that poll at their own rate (MJPEG at `fps`) ask for whatever frame is newest when they
// wake, so with the camera faster than the viewers, viewers out of phase would each ask for a
// different frame. Passing max_age (e.g. 1/fps) lets a request take the newest JPEG with the same
// options encoded at most that long ago instead, so N viewers at f fps cost about f encodes per
// second, as one viewer does.
//
// Bounded: entries more than `frames_kept` frames older than the newest frame seen are dropped,
// and beyond `capacity` entries the oldest frame's go first. Thread-safe.
class JpegCache {
 public:
  using Bytes = std::shared_ptr<const std::string>;

  // `clock` (its Monotonic time) dates entries for max_age; it must outlive the cache.
  explicit JpegCache(size_t capacity = 8, uint64_t frames_kept = 2,
                     const util::Clock& clock = util::SystemClock::Instance());
  JpegCache(const JpegCache&) = delete;
  JpegCache& operator=(const JpegCache&) = delete;

  // The JPEG for `key`, from the cache or made by `encode()` (a callable returning std::string),
  // which runs on the calling thread without the cache's lock held. If `encode` throws, the
  // exception reaches this caller and every caller waiting on it, and nothing is cached.
  // With max_age_seconds > 0, the newest entry with the same options started at most that long
  // ago (of any frame up to key.frame_sequence) is taken when there is no entry for the key.
  template <class Encode>
  Bytes Get(const JpegCacheKey& key, Encode&& encode, double max_age_seconds = 0) {
    Lookup found = Find(key, max_age_seconds);
    if (found.promise == nullptr) {
      return found.bytes.get();
    }
    try {
      Bytes bytes = std::make_shared<const std::string>(std::forward<Encode>(encode)());
      found.promise->set_value(bytes);
      return bytes;
    } catch (...) {
      Forget(found.entry_id);
      found.promise->set_exception(std::current_exception());
      throw;
    }
  }

  // Encodes started so far (cache misses).
  uint64_t encodes() const;
  // Requests answered from the cache or by waiting for an encode in progress.
  uint64_t hits() const;
  size_t size() const;

 private:
  struct Entry {
    JpegCacheKey key;
    std::shared_future<Bytes> bytes;
    uint64_t last_use = 0;
    uint64_t id = 0;
    double created = 0;  // clock's Monotonic()
  };
  struct Lookup {
    std::shared_future<Bytes> bytes;
    std::shared_ptr<std::promise<Bytes>> promise;  // set when this caller must encode
    uint64_t entry_id = 0;
  };

  Lookup Find(const JpegCacheKey& key, double max_age_seconds);
  void Forget(uint64_t entry_id);
  void EvictLocked();

  const size_t capacity_;
  const uint64_t frames_kept_;
  const util::Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  uint64_t newest_frame_ = 0;
  uint64_t use_counter_ = 0;
  uint64_t next_id_ = 0;
  uint64_t encodes_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace corvette::image
