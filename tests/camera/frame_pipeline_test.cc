// FramePipeline, the camera's per-frame processing, fed vtest.avi frames one by one with the real
// MotionDetector, NanoDet model and Tracker.
#include "camera/frame_pipeline.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/detection_chain.h"
#include "../support/detector_pool_suite.h"
#include "../support/vtest_frames.h"
#include "detect/region_planner.h"

namespace corvette::camera {
namespace {

using corvette::testing::kVtestHeight;
using corvette::testing::kVtestWidth;

constexpr double kFrameInterval = 0.2;  // 5 fps
constexpr double kStartTime = 1'600'000'000.0;
// The motion detector reports nothing on its first 30 frames (its warm-up).
constexpr int kMotionWarmUpFrames = 30;

FramePipelineOptions VtestOptions() {
  FramePipelineOptions options;
  options.camera = "vtest";
  options.width = kVtestWidth;
  options.height = kVtestHeight;
  options.tracker.max_disappeared = 25;
  options.tracker.seed = 1;
  return options;
}

// Walking people: vtest at 5 fps (every 2nd frame of the 10 fps file) from its first frame.
std::vector<std::vector<uint8_t>> Walking(int count) {
  return corvette::testing::ReadVtestI420Every(0, 2, count);
}

// Frame `index` of a run, taken at kStartTime + (index + 1) frame intervals.
std::shared_ptr<const video::Frame> FrameAt(const std::vector<uint8_t>& i420, size_t index) {
  return corvette::testing::I420Frame(i420, kVtestWidth, kVtestHeight,
                                      kStartTime + (index + 1) * kFrameInterval);
}

bool HasPerson(const std::vector<track::TrackedRecord>& objects) {
  for (const track::TrackedRecord& object : objects) {
    if (object.label == "person")
      return true;
  }
  return false;
}

TEST(FramePipelineTest, WithoutADetectorOnlyMotionIsReported) {
  FramePipeline pipeline(VtestOptions());
  const auto frames = Walking(kMotionWarmUpFrames + 10);
  int frames_with_motion = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const FrameProcessing& result = pipeline.Process(FrameAt(frames[i], i));
    if (!result.motion_boxes.empty())
      ++frames_with_motion;
    EXPECT_TRUE(result.regions.empty());
    EXPECT_TRUE(result.detections.empty());
    EXPECT_EQ(result.detector_calls, 0);
    EXPECT_TRUE(pipeline.Objects().empty());
  }
  EXPECT_GT(frames_with_motion, 0) << "vtest's walkers gave no motion after the warm-up";
}

class FramePipelineDetectionTest : public corvette::testing::DetectorPoolSuite {
 protected:
  FramePipelineOptions DetectingOptions() {
    FramePipelineOptions options = VtestOptions();
    options.detector_pool = &pool();
    options.object_filter = std::make_shared<const detect::ObjectFilter>(
        std::vector<std::string>{"person"}, std::map<std::string, detect::LabelFilter>{});
    return options;
  }
};

TEST_F(FramePipelineDetectionTest, ADetectorWithoutAnObjectFilterIsRefused) {
  FramePipelineOptions options = DetectingOptions();
  options.object_filter = nullptr;
  EXPECT_THROW(FramePipeline{options}, std::invalid_argument);
}

TEST_F(FramePipelineDetectionTest, WalkingPeopleAreDetectedInRegionsCoveringTheMotionAndTracked) {
  FramePipeline pipeline(DetectingOptions());
  const auto frames = Walking(kMotionWarmUpFrames + 15);
  int person_detections = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::shared_ptr<const video::Frame> frame = FrameAt(frames[i], i);
    const FrameProcessing& result = pipeline.Process(frame);
    SCOPED_TRACE("frame " + std::to_string(i));
    EXPECT_EQ(result.failed_calls, 0);
    // One call per region: the planned regions and the refinement regions alike.
    EXPECT_EQ(result.detector_calls, static_cast<int>(result.regions.size()));
    for (const detect::PixelBox& motion : result.motion_boxes) {
      bool covered = false;
      for (const detect::PixelBox& region : result.regions)
        covered = covered || detect::Contains(region, motion);
      EXPECT_TRUE(covered) << "a motion box outside every region";
    }
    for (const detect::Detection& detection : result.detections) {
      EXPECT_EQ(detection.label, "person");
      ++person_detections;
      // The tracker took it: some object matched on this frame has its box.
      bool tracked = false;
      for (const track::TrackedRecord& object : pipeline.Objects()) {
        tracked =
            tracked || (object.frame_time == frame->frame_time() && object.box == detection.box);
      }
      EXPECT_TRUE(tracked);
    }
  }
  EXPECT_GT(person_detections, 0);
  EXPECT_TRUE(HasPerson(pipeline.Objects()));
}

TEST_F(FramePipelineDetectionTest, WithoutMotionTheDetectorRunsExactlyWhenATrackedObjectIsDue) {
  FramePipelineOptions options = DetectingOptions();
  options.recheck_interval_seconds = 2.0;
  // Ending a track on its first miss makes the objects due at different frames and lets the frozen
  // scene settle, so that the rule is seen both ways.
  options.tracker.max_disappeared = 0;
  FramePipeline pipeline(options);
  // People walk, then the picture freezes: motion fades out, the people stay where they are.
  const size_t walk = kMotionWarmUpFrames + 15;
  std::vector<std::vector<uint8_t>> frames = Walking(walk);
  frames.insert(frames.end(), 60, frames.back());
  int still_frames_with_calls = 0;
  int still_frames_without_calls = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::shared_ptr<const video::Frame> frame = FrameAt(frames[i], i);
    const double now = frame->frame_time();
    // Due: missed on its last look, or neither seen nor looked at for the interval (an object
    // found by a look is matched then, so its last match is its last look).
    bool some_object_due = false;
    for (const track::TrackedRecord& object : pipeline.Objects()) {
      some_object_due = some_object_due || object.disappeared > 0 ||
                        now - object.frame_time >= options.recheck_interval_seconds;
    }
    const FrameProcessing& result = pipeline.Process(frame);
    if (i < walk || !result.motion_boxes.empty())
      continue;
    SCOPED_TRACE("frame " + std::to_string(i));
    EXPECT_EQ(result.detector_calls > 0, some_object_due);
    ++(result.detector_calls > 0 ? still_frames_with_calls : still_frames_without_calls);
  }
  // The rule was exercised both ways.
  EXPECT_GT(still_frames_with_calls, 0);
  EXPECT_GT(still_frames_without_calls, 0);
}

TEST_F(FramePipelineDetectionTest, AFrozenPictureSettlesToALookPerIntervalWithEveryPersonKept) {
  // The app's tracker settings at 5 fps (max_disappeared 25). A look at one still person runs a
  // region that also holds its still neighbours: what the detector finds in their place must reach
  // the tracker, or they count as looked at and missed, are due again on the next frame, and the
  // frozen scene costs a look every frame (54 of 54 still frames before that was fixed).
  FramePipelineOptions options = DetectingOptions();
  options.recheck_interval_seconds = 2.0;
  FramePipeline pipeline(options);
  const size_t walk = kMotionWarmUpFrames + 15;
  std::vector<std::vector<uint8_t>> frames = Walking(walk);
  frames.insert(frames.end(), 60, frames.back());
  int still_frames = 0;
  int still_frames_with_calls = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const FrameProcessing& result = pipeline.Process(FrameAt(frames[i], i));
    if (i < walk || !result.motion_boxes.empty())
      continue;
    ++still_frames;
    still_frames_with_calls += result.detector_calls > 0 ? 1 : 0;
  }
  ASSERT_GT(still_frames, 40) << "motion did not fade on the frozen picture";
  std::printf("frozen picture: %d of %d still frames had detector calls\n", still_frames_with_calls,
              still_frames);
  // A look every 2 s is 10 frames at 5 fps; tracks that started at different times are due at
  // different frames, so allow a few looks per interval.
  EXPECT_LE(still_frames_with_calls, still_frames / 3);
  EXPECT_TRUE(HasPerson(pipeline.Objects())) << "the frozen people were lost";
}

TEST_F(FramePipelineDetectionTest, PeopleWhoVanishEndAndThenTheStillSceneCostsNoDetectorCall) {
  FramePipelineOptions options = DetectingOptions();
  options.tracker.max_disappeared = 2;
  options.recheck_interval_seconds = 1.0;
  FramePipeline pipeline(options);
  std::vector<std::vector<uint8_t>> frames = Walking(kMotionWarmUpFrames + 15);
  const size_t walking = frames.size();
  ASSERT_FALSE(frames.empty());
  frames.insert(frames.end(), 60, corvette::testing::VtestStillBackground());
  std::set<std::string> tracked_ids;
  std::set<std::string> removed_ids;
  int calls_once_empty = 0;
  int still_empty_frames = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const bool was_empty = pipeline.Objects().empty();
    const FrameProcessing& result = pipeline.Process(FrameAt(frames[i], i));
    for (const track::TrackedRecord& object : pipeline.Objects())
      tracked_ids.insert(object.id);
    for (const track::TrackedRecord& object : pipeline.Removed())
      removed_ids.insert(object.id);
    if (i >= walking && was_empty && result.motion_boxes.empty()) {
      ++still_empty_frames;
      calls_once_empty += result.detector_calls;
    }
  }
  EXPECT_FALSE(tracked_ids.empty()) << "nobody was tracked while people walked";
  EXPECT_TRUE(pipeline.Objects().empty()) << "the vanished people are still tracked";
  EXPECT_EQ(removed_ids, tracked_ids) << "every object ended through Removed()";
  ASSERT_GT(still_empty_frames, 0) << "the scene never became still and empty";
  EXPECT_EQ(calls_once_empty, 0);
}

TEST_F(FramePipelineDetectionTest, WithDetectionSkippedEveryObjectEndsAfterItsMisses) {
  FramePipelineOptions options = DetectingOptions();
  FramePipeline pipeline(options);
  const auto frames = Walking(kMotionWarmUpFrames + 15);
  for (size_t i = 0; i < frames.size(); ++i)
    pipeline.Process(FrameAt(frames[i], i));
  ASSERT_TRUE(HasPerson(pipeline.Objects()));
  // An object ends on its (max_disappeared + 1)-th consecutive miss, counting those it already has.
  std::map<std::string, int> ending_skip;  // id -> the skipped frame that must end it
  for (const track::TrackedRecord& object : pipeline.Objects())
    ending_skip[object.id] = options.tracker.max_disappeared + 1 - object.disappeared;

  std::map<std::string, int> ended_on;
  double now = kStartTime + (frames.size() + 1) * kFrameInterval;
  for (int skipped = 1; skipped <= options.tracker.max_disappeared + 1; ++skipped) {
    pipeline.SkipDetection(now);
    now += kFrameInterval;
    for (const track::TrackedRecord& object : pipeline.Removed())
      ended_on[object.id] = skipped;
  }
  EXPECT_TRUE(pipeline.Objects().empty());
  EXPECT_EQ(ended_on, ending_skip);
  // A further skipped frame ends nothing more.
  pipeline.SkipDetection(now);
  EXPECT_TRUE(pipeline.Removed().empty());
}

}  // namespace
}  // namespace corvette::camera
