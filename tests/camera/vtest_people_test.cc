// Detection quality through the camera's own chain (issue 4): the first 30 s of OpenCV's vtest.avi
// at its native 768x576, 5 fps (150 frames) decoded by the real ffmpeg, fed one by one through the
// camera's own FramePipeline (the real MotionDetector, regions from motion and from tracked boxes
// touching motion, still objects re-checked, DetectFrame on the real NanoDet model, the Tracker),
// without the real-time capture, so no frame is dropped and the result does not depend on the
// machine's speed. The still scene is the clip's people removed: the per-pixel median of
// frames spread over it, repeated.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../support/detection_chain.h"
#include "../support/detector_pool_suite.h"
#include "../support/vtest_frames.h"
#include "camera/frame_pipeline.h"
#include "detect/object_filter.h"

namespace corvette::camera {
namespace {

using corvette::testing::kVtestHeight;
using corvette::testing::kVtestWidth;

constexpr double kFrameInterval = 0.2;  // 5 fps

// What the chain saw from frame `count_from` of a run on.
struct ChainResult {
  std::map<std::string, int> person_matches;  // track id -> frames on which it was matched
  int person_detections = 0;                  // detections labelled person, all frames
  int detector_calls = 0;
  int failed_calls = 0;
};

class VtestPeopleTest : public corvette::testing::DetectorPoolSuite {
 protected:
  // The camera's FramePipeline on each frame in turn, with the app's tracker settings for 5 fps
  // (max_disappeared = fps * 5) and the default re-check interval.
  static ChainResult Run(const std::vector<std::vector<uint8_t>>& frames, size_t count_from = 0) {
    FramePipelineOptions options;
    options.camera = "vtest";
    options.width = kVtestWidth;
    options.height = kVtestHeight;
    options.detector_pool = &pool();
    options.object_filter = std::make_shared<const detect::ObjectFilter>(
        std::vector<std::string>{"person"}, std::map<std::string, detect::LabelFilter>{});
    options.tracker.max_disappeared = 25;
    options.tracker.seed = 1;
    FramePipeline pipeline(options);
    ChainResult out;
    double now = 1'600'000'000.0;
    for (size_t index = 0; index < frames.size(); ++index) {
      const bool counted = index >= count_from;
      now += kFrameInterval;
      const FrameProcessing& result = pipeline.Process(
          corvette::testing::I420Frame(frames[index], kVtestWidth, kVtestHeight, now));
      if (!counted)
        continue;
      out.detector_calls += result.detector_calls;
      out.failed_calls += result.failed_calls;
      for (const detect::Detection& d : result.detections) {
        if (d.label == "person")
          ++out.person_detections;
      }
      for (const track::TrackedRecord& object : pipeline.Objects()) {
        if (object.label == "person" && object.frame_time == now)
          ++out.person_matches[object.id];
      }
    }
    return out;
  }
};

TEST_F(VtestPeopleTest, AtLeastFiveDistinctPeopleAreTrackedOverTheFirstThirtySeconds) {
  // vtest.avi is 10 fps: every 2nd frame is 5 fps; 150 frames are its first 30 s.
  const auto frames = corvette::testing::ReadVtestI420Every(0, 2, 150);
  const ChainResult result = Run(frames);
  EXPECT_EQ(result.failed_calls, 0);
  EXPECT_GT(result.detector_calls, 0);
  // A person counts when its track lived for at least 5 matched frames (1 s): a one-frame
  // false positive or a track split for a frame does not count.
  std::set<std::string> people;
  for (const auto& [id, matches] : result.person_matches) {
    if (matches >= 5)
      people.insert(id);
  }
  std::string all;
  for (const auto& [id, matches] : result.person_matches)
    all += id + ":" + std::to_string(matches) + " ";
  std::printf(
      "distinct people tracked over 30 s: %zu (%zu person tracks, %d person detections); "
      "detector calls %d over %zu frames (%.2f per frame)\n",
      people.size(), result.person_matches.size(), result.person_detections, result.detector_calls,
      frames.size(), static_cast<double>(result.detector_calls) / frames.size());
  EXPECT_GE(people.size(), 5u) << "person tracks (id:matched frames): " << all;
  // Not one track per frame either: the tracker keeps people's ids (vtest's first 30 s show
  // about 8 to 10 people).
  EXPECT_LE(result.person_matches.size(), 40u) << all;
}

TEST_F(VtestPeopleTest, AStillSceneWithoutPeopleReportsNoPerson) {
  const std::vector<uint8_t> background = corvette::testing::VtestStillBackground();
  // The still scene right after 10 s of the real clip, in the same run: the people vanish (motion
  // where they were), their tracks are re-checked, and no person may be reported on the still
  // frames although the detector looks at them.
  std::vector<std::vector<uint8_t>> frames = corvette::testing::ReadVtestI420Every(0, 2, 50);
  const size_t walking = frames.size();
  frames.insert(frames.end(), 60, background);
  const ChainResult still = Run(frames, walking);
  EXPECT_GT(still.detector_calls, 0) << "the detector never looked at the still scene";
  EXPECT_EQ(still.failed_calls, 0);
  EXPECT_EQ(still.person_detections, 0);
  EXPECT_TRUE(still.person_matches.empty());
}

}  // namespace
}  // namespace corvette::camera
