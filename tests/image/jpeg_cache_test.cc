#include "image/jpeg_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../support/wait_for.h"
#include "test_frames.h"

namespace corvette::image {
namespace {

// Waits until `cache` has answered `hits` requests from the cache or by waiting (at most 10 s, so
// a cache that encodes more than once fails the test instead of hanging it).
void WaitForHits(const JpegCache& cache, uint64_t hits) {
  corvette::testing::WaitFor([&] { return cache.hits() >= hits; }, std::chrono::seconds(10),
                             std::chrono::milliseconds(1));
}

JpegCacheKey Key(uint64_t frame, int height = 0, bool motion = false) {
  JpegCacheKey key;
  key.frame_sequence = frame;
  key.options.height = height;
  key.options.layers.motion = motion;
  return key;
}

TEST(JpegCacheTest, SameKeySameBytes) {
  JpegCache cache;
  int calls = 0;
  auto encode = [&] {
    ++calls;
    return std::string("jpeg") + std::to_string(calls);
  };
  const auto a = cache.Get(Key(1), encode);
  const auto b = cache.Get(Key(1), encode);
  EXPECT_EQ(a.get(), b.get());  // the very same shared bytes
  EXPECT_EQ(*a, "jpeg1");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(cache.encodes(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(JpegCacheTest, OptionsAndHeightAreDifferentKeys) {
  JpegCache cache;
  int calls = 0;
  auto encode = [&] { return std::to_string(++calls); };
  cache.Get(Key(1, 360), encode);
  cache.Get(Key(1, 720), encode);
  cache.Get(Key(1, 360, true), encode);
  cache.Get(Key(2, 360), encode);
  EXPECT_EQ(calls, 4);
}

TEST(JpegCacheTest, ConcurrentRequestsEncodeOnce) {
  const I420Image frame = testing::SolidI420(1280, 720, cv::Scalar(10, 100, 200));
  JpegCache cache;
  std::atomic<int> encodes{0};
  std::atomic<bool> go{false};
  std::vector<JpegCache::Bytes> results(20);
  std::vector<std::thread> viewers;
  for (int i = 0; i < 20; ++i) {
    viewers.emplace_back([&, i] {
      while (!go) {
        std::this_thread::yield();
      }
      RenderOptions options;
      options.height = 360;
      results[i] = cache.Get(Key(7, 360), [&] {
        ++encodes;
        // Finish only once the other 19 viewers are waiting for this encode.
        WaitForHits(cache, 19);
        return RenderFrameJpeg(frame.view(), options, OverlayData{});
      });
    });
  }
  go = true;
  for (auto& t : viewers)
    t.join();
  EXPECT_EQ(encodes.load(), 1);
  for (const auto& r : results) {
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r.get(), results[0].get());
  }
  EXPECT_EQ(ReadJpegSize(*results[0]).height, 360);
}

TEST(JpegCacheTest, OlderFramesAreEvicted) {
  JpegCache cache(8, 2);
  auto encode = [] { return std::string("x"); };
  cache.Get(Key(1), encode);
  cache.Get(Key(1, 360), encode);
  cache.Get(Key(2), encode);
  EXPECT_EQ(cache.size(), 3u);
  cache.Get(Key(3), encode);  // frame 1 is now two frames old
  EXPECT_EQ(cache.size(), 2u);
  int calls = 0;
  cache.Get(Key(1), [&] { return std::to_string(++calls); });
  EXPECT_EQ(calls, 1);  // encoded again
}

TEST(JpegCacheTest, CapacityBoundsEntries) {
  JpegCache cache(3, 100);
  auto encode = [] { return std::string("x"); };
  for (int h = 1; h <= 10; ++h) {
    cache.Get(Key(5, h), encode);
  }
  EXPECT_EQ(cache.size(), 3u);
  int calls = 0;
  cache.Get(Key(5, 10), [&] { return std::to_string(++calls); });
  EXPECT_EQ(calls, 0);  // the most recent survive
}

TEST(JpegCacheTest, MaxAgeReusesARecentFrameWithTheSameOptions) {
  util::ManualClock clock;
  JpegCache cache(8, 2, clock);
  int calls = 0;
  auto encode = [&] { return std::to_string(++calls); };
  const auto first = cache.Get(Key(1, 360), encode, 0.33);
  clock.Advance(0.1);
  // A newer frame, but the frame-1 JPEG is only 0.1 s old: a viewer at 3 fps takes it.
  EXPECT_EQ(cache.Get(Key(2, 360), encode, 0.33).get(), first.get());
  EXPECT_EQ(calls, 1);
  // Without max_age the newer frame is encoded.
  EXPECT_EQ(*cache.Get(Key(2, 360), encode), "2");
  // Other options never stand in for each other.
  EXPECT_EQ(*cache.Get(Key(3, 720), encode, 0.33), "3");
  clock.Advance(0.5);
  // Too old now.
  EXPECT_EQ(*cache.Get(Key(3, 360), encode, 0.33), "4");
  // An older frame's request does not get a newer frame's JPEG.
  EXPECT_EQ(*cache.Get(Key(2, 720), encode, 10), "5");
}

TEST(JpegCacheTest, FailedEncodeIsNotCachedAndReachesWaiters) {
  JpegCache cache;
  std::atomic<bool> started{false};
  std::thread encoder([&] {
    EXPECT_THROW(cache.Get(Key(1),
                           [&]() -> std::string {
                             started = true;
                             WaitForHits(cache, 1);
                             throw JpegError("boom");
                           }),
                 JpegError);
  });
  while (!started) {
    std::this_thread::yield();
  }
  EXPECT_THROW(cache.Get(Key(1), [] { return std::string("never"); }), JpegError);
  encoder.join();
  // The next request tries again.
  EXPECT_EQ(*cache.Get(Key(1), [] { return std::string("ok"); }), "ok");
}

}  // namespace
}  // namespace corvette::image
