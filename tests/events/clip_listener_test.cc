#include "events/clip_listener.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../support/wait_for.h"
#include "clip_test_util.h"

namespace corvette::events {
namespace {
namespace fs = std::filesystem;
using corvette::testing::WaitFor;
using testing::PutSegments;
using testing::TestDir;

// A ClipAssembler over a temporary cache and clips folder (camera "front": pre 2 s, post 3 s),
// the ClipListener under test, and the results the assembler reports.
struct Rig {
  TestDir dir;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<ClipResult> results;
  std::unique_ptr<ClipAssembler> assembler;
  std::unique_ptr<ClipListener> listener;

  Rig() {
    fs::create_directories(dir.File("cache"));
    ClipAssembler::Options options;
    options.clips_dir = dir.File("clips");
    options.cache.dir = dir.File("cache");
    options.poll_seconds = 0.05;
    options.cameras["front"] = {2.0, 3.0};
    assembler = std::make_unique<ClipAssembler>(options, util::SystemClock::Instance(),
                                                [this](const ClipResult& r) {
                                                  std::lock_guard lock(mutex);
                                                  results.push_back(r);
                                                  cv.notify_all();
                                                });
    listener = std::make_unique<ClipListener>(*assembler);
  }

  std::string Cache() const { return dir.File("cache"); }

  // Event `id` on "front" became a true positive, ran from start to end and was stored.
  void StoreEvent(const std::string& id, double start, double end, bool clip_wanted) {
    track::EventMessage message;
    message.type = "new";
    message.after = {{"id", id}, {"camera", "front"}, {"start_time", start}};
    listener->OnEventMessage(message);
    storage::EventRecord stored;
    stored.id = id;
    stored.camera = "front";
    stored.start_time = start;
    stored.end_time = end;
    listener->OnEventStored(stored, clip_wanted);
  }

  // The first result, once there is one (at most 60 s).
  std::optional<ClipResult> FirstResult() {
    std::unique_lock lock(mutex);
    if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return !results.empty(); }))
      return std::nullopt;
    return results[0];
  }
};

TEST(ClipListenerTest, StoredEventWithClipWantedGetsItsClipWithTheCameraPrePost) {
  Rig rig;
  // Segments well inside the cache's keep margin (90 s): this test is about pre/post capture,
  // not retention. (At now - 100 the first segment ended exactly at the margin and was deleted
  // when the worker's first retention pass ran before the event was noted, which a loaded machine
  // made likely: a 3-s clip. ObjectTrackedLongBeforeItBecomesAnEventGetsItsWholeClip covers the
  // product side of that.)
  const double t0 = testing::WholeSecondsNow() - 60;
  PutSegments(rig.Cache(), "front", t0, 2, 10);
  rig.StoreEvent("e1", t0 + 6, t0 + 10, /*clip_wanted=*/true);
  rig.StoreEvent("e2", t0 + 6, t0 + 10, /*clip_wanted=*/false);

  std::optional<ClipResult> result = rig.FirstResult();
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok) << result->error;
  EXPECT_EQ(result->request.pre_capture, 2.0);
  EXPECT_EQ(result->request.post_capture, 3.0);
  EXPECT_NEAR(corvette::testing::FfprobeDuration(rig.dir.File("clips/front-e1.mp4")), 9.0, 2.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(rig.assembler->counters().made, 1u);
  EXPECT_FALSE(fs::exists(rig.dir.File("clips/front-e2.mp4")));
}

// An object tracked (as a false positive) for longer than the cache's keep margin before it
// became a true positive: the segments from its first sighting minus pre_capture are kept, as 0.8
// keeps them from its "start", so the clip is whole. A camera with nothing tracked loses its old
// segments meanwhile (the retention pass did run).
TEST(ClipListenerTest, ObjectTrackedLongBeforeItBecomesAnEventGetsItsWholeClip) {
  Rig rig;
  // The object appeared at t0 + 6 and was tracked from then on; now is t0 + 100 or later, so its
  // first segment ended 90 s or more ago.
  const double t0 = testing::WholeSecondsNow() - 100;
  rig.listener->OnObjectStarted("front", "e1", t0 + 6);
  auto front = PutSegments(rig.Cache(), "front", t0, 2, 10);
  auto back = PutSegments(rig.Cache(), "back", t0, 2, 10);
  ASSERT_TRUE(WaitFor([&] { return !fs::exists(back[0]); })) << "the retention pass never ran";
  EXPECT_TRUE(fs::exists(front[0]));

  // Only now does it become a true positive; it ends at t0 + 10 and is stored.
  rig.StoreEvent("e1", t0 + 6, t0 + 10, /*clip_wanted=*/true);

  std::optional<ClipResult> result = rig.FirstResult();
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok) << result->error;
  EXPECT_FALSE(result->partial);
  EXPECT_NEAR(corvette::testing::FfprobeDuration(rig.dir.File("clips/front-e1.mp4")), 9.0, 2.0);
}

// A false positive that leaves no longer holds the cache: its segments go at the next pass.
TEST(ClipListenerTest, FalsePositiveThatLeavesReleasesItsSegments) {
  Rig rig;
  const double t0 = testing::WholeSecondsNow() - 100;
  rig.listener->OnObjectStarted("front", "fp", t0 + 6);
  auto front = PutSegments(rig.Cache(), "front", t0, 2, 10);
  auto back = PutSegments(rig.Cache(), "back", t0, 2, 10);
  ASSERT_TRUE(WaitFor([&] { return !fs::exists(back[0]); })) << "the retention pass never ran";
  EXPECT_TRUE(fs::exists(front[0]));

  rig.listener->OnObjectEndedWithoutEvent("front", "fp");
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(front[0]); }));
  EXPECT_EQ(rig.assembler->counters().made, 0u);
}

}  // namespace
}  // namespace corvette::events
