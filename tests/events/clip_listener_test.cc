#include "events/clip_listener.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "clip_test_util.h"

namespace corvette::events {
namespace {
namespace fs = std::filesystem;
using testing::PutSegments;
using testing::TestDir;

TEST(ClipListenerTest, StoredEventWithClipWantedGetsItsClipWithTheCameraPrePost) {
  TestDir dir;
  fs::create_directories(dir.File("cache"));
  // Segments well inside the cache's keep margin (90 s): this test is about pre/post capture,
  // not retention. (At now - 100 the first segment ended exactly at the margin and was deleted
  // when the worker's first retention pass ran before the event was noted, which a loaded machine
  // made likely: a 3-s clip. ObjectTrackedLongBeforeItBecomesAnEventGetsItsWholeClip covers the
  // product side of that.)
  const double t0 = testing::WholeSecondsNow() - 60;
  PutSegments(dir.File("cache"), "front", t0, 2, 10);
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<ClipResult> results;
  ClipAssembler::Options options;
  options.clips_dir = dir.File("clips");
  options.cache.dir = dir.File("cache");
  options.poll_seconds = 0.05;
  options.cameras["front"] = {2.0, 3.0};
  ClipAssembler assembler(options, util::SystemClock::Instance(), [&](const ClipResult& r) {
    std::lock_guard lock(mutex);
    results.push_back(r);
    cv.notify_all();
  });
  ClipListener listener(assembler);

  track::EventMessage message;
  message.type = "new";
  message.after = {{"id", "e1"}, {"camera", "front"}, {"start_time", t0 + 6}};
  listener.OnEventMessage(message);
  storage::EventRecord stored;
  stored.id = "e1";
  stored.camera = "front";
  stored.start_time = t0 + 6;
  stored.end_time = t0 + 10;
  listener.OnEventStored(stored, /*clip_wanted=*/true);
  stored.id = "e2";
  listener.OnEventStored(stored, /*clip_wanted=*/false);

  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return !results.empty(); }));
  ASSERT_TRUE(results[0].ok) << results[0].error;
  EXPECT_EQ(results[0].request.pre_capture, 2.0);
  EXPECT_EQ(results[0].request.post_capture, 3.0);
  EXPECT_NEAR(corvette::testing::FfprobeDuration(dir.File("clips/front-e1.mp4")), 9.0, 2.0);
  lock.unlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(assembler.counters().made, 1u);
  EXPECT_FALSE(fs::exists(dir.File("clips/front-e2.mp4")));
}

// An object tracked (as a false positive) for longer than the cache's keep margin before it
// became a true positive: the segments from its first sighting minus pre_capture are kept, as 0.8
// keeps them from its "start", so the clip is whole. A camera with nothing tracked loses its old
// segments meanwhile (the retention pass did run).
TEST(ClipListenerTest, ObjectTrackedLongBeforeItBecomesAnEventGetsItsWholeClip) {
  TestDir dir;
  fs::create_directories(dir.File("cache"));
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<ClipResult> results;
  ClipAssembler::Options options;
  options.clips_dir = dir.File("clips");
  options.cache.dir = dir.File("cache");
  options.poll_seconds = 0.05;
  options.cameras["front"] = {2.0, 3.0};
  ClipAssembler assembler(options, util::SystemClock::Instance(), [&](const ClipResult& r) {
    std::lock_guard lock(mutex);
    results.push_back(r);
    cv.notify_all();
  });
  ClipListener listener(assembler);

  // The object appeared at t0 + 6 and was tracked from then on; now is t0 + 100 or later, so its
  // first segment ended 90 s or more ago.
  const double t0 = testing::WholeSecondsNow() - 100;
  listener.OnObjectStarted("front", "e1", t0 + 6);
  auto front = PutSegments(dir.File("cache"), "front", t0, 2, 10);
  auto back = PutSegments(dir.File("cache"), "back", t0, 2, 10);
  for (int i = 0; i < 600 && fs::exists(back[0]); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(fs::exists(back[0])) << "the retention pass never ran";
  EXPECT_TRUE(fs::exists(front[0]));

  // Only now does it become a true positive; it ends at t0 + 10 and is stored.
  track::EventMessage message;
  message.type = "new";
  message.after = {{"id", "e1"}, {"camera", "front"}, {"start_time", t0 + 6}};
  listener.OnEventMessage(message);
  storage::EventRecord stored;
  stored.id = "e1";
  stored.camera = "front";
  stored.start_time = t0 + 6;
  stored.end_time = t0 + 10;
  listener.OnEventStored(stored, /*clip_wanted=*/true);

  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return !results.empty(); }));
  ASSERT_TRUE(results[0].ok) << results[0].error;
  EXPECT_FALSE(results[0].partial);
  EXPECT_NEAR(corvette::testing::FfprobeDuration(dir.File("clips/front-e1.mp4")), 9.0, 2.0);
}

// A false positive that leaves no longer holds the cache: its segments go at the next pass.
TEST(ClipListenerTest, FalsePositiveThatLeavesReleasesItsSegments) {
  TestDir dir;
  fs::create_directories(dir.File("cache"));
  ClipAssembler::Options options;
  options.clips_dir = dir.File("clips");
  options.cache.dir = dir.File("cache");
  options.poll_seconds = 0.05;
  ClipAssembler assembler(options, util::SystemClock::Instance(), nullptr);
  ClipListener listener(assembler);

  const double t0 = testing::WholeSecondsNow() - 100;
  listener.OnObjectStarted("front", "fp", t0 + 6);
  auto front = PutSegments(dir.File("cache"), "front", t0, 2, 10);
  auto back = PutSegments(dir.File("cache"), "back", t0, 2, 10);
  for (int i = 0; i < 600 && fs::exists(back[0]); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(fs::exists(back[0])) << "the retention pass never ran";
  EXPECT_TRUE(fs::exists(front[0]));

  listener.OnObjectEndedWithoutEvent("front", "fp");
  for (int i = 0; i < 600 && fs::exists(front[0]); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(fs::exists(front[0]));
  EXPECT_EQ(assembler.counters().made, 0u);
}

}  // namespace
}  // namespace corvette::events
