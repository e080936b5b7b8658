// Issue 14's recall measurement: on the same vtest.avi frames (5 fps, every 2nd frame of the 10 fps
// file), an exhaustive reference (the detector on every tile of an overlapping grid of model-size
// tiles over the whole frame, every frame) against what the camera's FramePipeline reports (its
// detections, which the tracker gets). Recall is the share of the reference's person detections
// that the pipeline also reports on that frame at IoU >= 0.5; both sides keep only what the
// detector scores above the pool's threshold (0.4) and the camera's filters keep. Frames are fed
// one by one, so the figures do not depend on the machine's speed.
//
// `make test` runs a short version (60 frames at 768x576) that keeps recall from falling below
// today's. bench/vtest_recall.sh runs the full one (150 frames, the first 30 s, at 768x576 and
// 1280x720) through CORVETTE_RECALL_FRAMES and CORVETTE_RECALL_SIZE (WxH), and the region merge
// lever through CORVETTE_RECALL_MIN_OBJECT_PIXELS (FramePipelineOptions::min_object_pixels).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../support/detection_chain.h"
#include "../support/detection_recall.h"
#include "../support/detector_pool_suite.h"
#include "../support/vtest_frames.h"
#include "camera/frame_pipeline.h"
#include "config/config.h"
#include "detect/object_filter.h"

namespace corvette::camera {
namespace {

constexpr double kFrameInterval = 0.2;  // 5 fps
// The motion detector's warm-up: the pipeline reports nothing on a camera's first 30 frames, so
// recall is measured on the frames after them.
constexpr int kWarmUpFrames = 30;
constexpr int kShortFrameCount = kWarmUpFrames + 30;
// Issue 14's goal for the full run (bench/vtest_recall.sh) is a recall of at least 0.95. Today's
// pipeline reaches 0.75 on the short run with the camera's default filters and 0.83-0.85 on the
// full runs (docs/benchmarks.md): most people it misses are where nothing moves (still false
// positives, far walkers too small for a motion contour). The test keeps recall from falling below
// today's, with a margin for the few scores a different CPU's kernels move across a threshold;
// raise it as the pipeline improves, never lower it.
constexpr double kRecallFloor = 0.70;
constexpr float kDefaultMinScore = 0.5f;  // Frigate's default person filter
constexpr float kPoolThreshold = 0.4f;    // DetectorPoolOptions::score_threshold
// A track is a distinct person when it was matched on at least this many frames (1 s at 5 fps).
constexpr int kDistinctTrackMatches = 5;

struct Geometry {
  int width = corvette::testing::kVtestWidth;
  int height = corvette::testing::kVtestHeight;
};

Geometry GeometryFromEnvironment() {
  Geometry geometry;
  if (const char* size = std::getenv("CORVETTE_RECALL_SIZE"))
    std::sscanf(size, "%dx%d", &geometry.width, &geometry.height);
  return geometry;
}

int FrameCountFromEnvironment() {
  const char* count = std::getenv("CORVETTE_RECALL_FRAMES");
  return count ? std::atoi(count) : kShortFrameCount;
}

// The camera's filters: person tracked with Frigate's defaults (min_score 0.5), or with min_score
// lowered to the pool's threshold.
std::shared_ptr<const detect::ObjectFilter> PersonFilter(float min_score) {
  detect::LabelFilter person;
  person.min_score = min_score;
  return std::make_shared<const detect::ObjectFilter>(
      std::vector<std::string>{"person"},
      std::map<std::string, detect::LabelFilter>{{"person", person}});
}

struct RecallFigures {
  int frames = 0;                   // processed frames
  int measured_frames = 0;          // after the warm-up
  int reference_people = 0;         // reference person detections on the measured frames
  int matched_people = 0;           // those the pipeline also reported
  int moving_reference_people = 0;  // those touching a motion box of their frame
  int matched_moving_people = 0;
  int largest_person_width = 0;  // of the reference's people
  int largest_person_height = 0;
  int pipeline_people = 0;  // pipeline person detections on the measured frames
  int detector_calls = 0;   // the pipeline's, all frames
  int measured_detector_calls = 0;
  int measured_refinement_calls = 0;  // of those, regions around clipped detections
  int measured_frames_with_calls = 0;
  int measured_recheck_only_frames = 0;  // frames whose only seeds were still objects
  // Reference person detections matched by a tracked person's box after the frame (matched on it
  // or not): what the camera shows as its current objects.
  int matched_by_tracked_people = 0;
  int failed_calls = 0;
  std::map<std::string, int> person_matches;  // track id -> frames it was matched on

  double Recall() const {
    return reference_people > 0 ? static_cast<double>(matched_people) / reference_people : 1.0;
  }
  double MovingRecall() const {
    return moving_reference_people > 0
               ? static_cast<double>(matched_moving_people) / moving_reference_people
               : 1.0;
  }
  int DistinctPersonTracks() const {
    int distinct = 0;
    for (const auto& [id, matches] : person_matches)
      distinct += matches >= kDistinctTrackMatches ? 1 : 0;
    return distinct;
  }
};

class PipelineRecallTest : public corvette::testing::DetectorPoolSuite {
 protected:
  // The reference of each frame from `first` on: every tile of the grid (model-size squares,
  // overlapping by half a tile) through the pool, merged (MergeTileDetections) with `filter`.
  static std::vector<std::vector<detect::Detection>> Reference(
      const std::vector<std::vector<uint8_t>>& frames, const Geometry& geometry,
      const detect::ObjectFilter& filter, size_t first) {
    const int tile = pool().model_size();
    const std::vector<detect::PixelBox> tiles =
        corvette::testing::OverlappingTiles(geometry.width, geometry.height, tile, tile / 2);
    std::vector<std::vector<detect::Detection>> reference(frames.size());
    for (size_t i = first; i < frames.size(); ++i) {
      const auto frame =
          corvette::testing::I420Frame(frames[i], geometry.width, geometry.height, 0.0);
      reference[i] = corvette::testing::ExhaustiveDetections(
          pool(), filter, frame,
          detect::I420View::Packed(frame->data(), geometry.width, geometry.height), tiles);
    }
    return reference;
  }

  // The camera's pipeline on the suite's pool with the app's tracker settings for 5 fps
  // (max_disappeared = fps * 5).
  static FramePipelineOptions PipelineOptions(const Geometry& geometry,
                                              std::shared_ptr<const detect::ObjectFilter> filter) {
    FramePipelineOptions options;
    options.camera = "vtest";
    options.width = geometry.width;
    options.height = geometry.height;
    options.detector_pool = &pool();
    options.object_filter = std::move(filter);
    options.tracker.max_disappeared = 25;
    options.tracker.seed = 1;
    // The camera's region plan (config detect.min_object_pixels' default) unless the bench asks.
    options.min_object_pixels = config::DetectConfig{}.min_object_pixels;
    if (const char* pixels = std::getenv("CORVETTE_RECALL_MIN_OBJECT_PIXELS"))
      options.min_object_pixels = std::atoi(pixels);
    return options;
  }

  // The camera's FramePipeline over `frames` (the app's tracker settings for 5 fps), against
  // `reference` (only frames from kWarmUpFrames on count) with `filter`.
  static RecallFigures Measure(const std::vector<std::vector<uint8_t>>& frames,
                               const Geometry& geometry,
                               const std::vector<std::vector<detect::Detection>>& reference,
                               std::shared_ptr<const detect::ObjectFilter> filter) {
    FramePipeline pipeline(PipelineOptions(geometry, filter));
    RecallFigures figures;
    double now = 1'600'000'000.0;
    for (size_t i = 0; i < frames.size(); ++i) {
      now += kFrameInterval;
      const FrameProcessing& result = pipeline.Process(
          corvette::testing::I420Frame(frames[i], geometry.width, geometry.height, now));
      ++figures.frames;
      figures.detector_calls += result.detector_calls;
      figures.failed_calls += result.failed_calls;
      for (const track::TrackedRecord& object : pipeline.Objects()) {
        if (object.label == "person" && object.frame_time == now)
          ++figures.person_matches[object.id];
      }
      if (i < kWarmUpFrames)
        continue;
      ++figures.measured_frames;
      figures.measured_detector_calls += result.detector_calls;
      figures.measured_refinement_calls += result.refinement_calls;
      figures.measured_frames_with_calls += result.detector_calls > 0 ? 1 : 0;
      figures.measured_recheck_only_frames +=
          result.motion_boxes.empty() && result.rechecked_objects > 0 ? 1 : 0;
      std::vector<detect::Detection> wanted;
      for (const detect::Detection& d : reference[i]) {
        if (filter->Keep(d))
          wanted.push_back(d);
      }
      figures.reference_people += corvette::testing::CountLabel(wanted, "person");
      figures.pipeline_people += corvette::testing::CountLabel(result.detections, "person");
      figures.matched_people +=
          corvette::testing::MatchedReferenceCount(wanted, result.detections, "person");
      std::vector<detect::Detection> tracked;
      for (const track::TrackedRecord& object : pipeline.Objects()) {
        detect::Detection d;
        d.label = object.label;
        d.score = static_cast<float>(object.score);
        d.box = object.box;
        tracked.push_back(d);
      }
      figures.matched_by_tracked_people +=
          corvette::testing::MatchedReferenceCount(wanted, tracked, "person");
      // The same for the reference people the frame's motion touches: those the pipeline looks
      // at whatever its region plan (the others it can find only as tracked still objects).
      std::vector<detect::Detection> moving;
      for (const detect::Detection& d : wanted) {
        const bool touches_motion =
            std::any_of(result.motion_boxes.begin(), result.motion_boxes.end(),
                        [&](const detect::PixelBox& m) { return detect::Intersects(m, d.box); });
        if (touches_motion)
          moving.push_back(d);
        if (d.label == "person") {
          figures.largest_person_width = std::max(figures.largest_person_width, d.box.width());
          figures.largest_person_height = std::max(figures.largest_person_height, d.box.height());
        }
      }
      figures.moving_reference_people += corvette::testing::CountLabel(moving, "person");
      figures.matched_moving_people +=
          corvette::testing::MatchedReferenceCount(moving, result.detections, "person");
    }
    return figures;
  }

  static void Print(const Geometry& geometry, float min_score, int tiles, const RecallFigures& f) {
    std::printf(
        "%dx%d, person min_score %.2f, %d frames (recall on frames %d-%d, after the motion "
        "warm-up):\n"
        "  recall %.4f: %d of %d reference person detections (%d tiles per frame, largest "
        "reference person %dx%d)\n"
        "  recall where motion touches the person %.4f: %d of %d\n"
        "  recall of the tracked objects' boxes %.4f: %d\n"
        "  refinement calls %d, frames with calls %d, frames with only still-object seeds %d "
        "(after the warm-up)\n"
        "  pipeline person detections %d\n"
        "  detector calls per frame %.2f after the warm-up (%d / %d), %.2f over all %d frames\n"
        "  distinct person tracks %d (matched on >= %d frames; %zu person tracks)\n",
        geometry.width, geometry.height, min_score, f.frames, kWarmUpFrames + 1, f.frames,
        f.Recall(), f.matched_people, f.reference_people, tiles, f.largest_person_width,
        f.largest_person_height, f.MovingRecall(), f.matched_moving_people,
        f.moving_reference_people,
        f.reference_people > 0
            ? static_cast<double>(f.matched_by_tracked_people) / f.reference_people
            : 1.0,
        f.matched_by_tracked_people, f.measured_refinement_calls, f.measured_frames_with_calls,
        f.measured_recheck_only_frames, f.pipeline_people,
        static_cast<double>(f.measured_detector_calls) / f.measured_frames,
        f.measured_detector_calls, f.measured_frames,
        static_cast<double>(f.detector_calls) / f.frames, f.frames, f.DistinctPersonTracks(),
        kDistinctTrackMatches, f.person_matches.size());
  }
};

TEST_F(PipelineRecallTest, ThePipelineReportsThePeopleTheExhaustiveReferenceFinds) {
  SKIP_UNDER_THREAD_SANITIZER();
  const Geometry geometry = GeometryFromEnvironment();
  const int count = FrameCountFromEnvironment();
  ASSERT_GT(count, kWarmUpFrames);
  const auto frames = corvette::testing::ReadVtestFrames(
      {.first = 0, .step = 2, .count = count, .width = geometry.width, .height = geometry.height});
  // The reference at the pool's threshold; each filter then keeps its part.
  const auto reference = Reference(frames, geometry, *PersonFilter(kPoolThreshold), kWarmUpFrames);
  const int tiles = static_cast<int>(
      corvette::testing::OverlappingTiles(geometry.width, geometry.height, pool().model_size(),
                                          pool().model_size() / 2)
          .size());
  for (float min_score : {kDefaultMinScore, kPoolThreshold}) {
    SCOPED_TRACE("min_score " + std::to_string(min_score));
    const RecallFigures figures = Measure(frames, geometry, reference, PersonFilter(min_score));
    Print(geometry, min_score, tiles, figures);
    EXPECT_EQ(figures.failed_calls, 0);
    ASSERT_GT(figures.reference_people, 0) << "the reference found nobody";
    if (min_score == kDefaultMinScore) {
      EXPECT_GE(figures.Recall(), kRecallFloor);
    }
  }
}

TEST_F(PipelineRecallTest, TheStillSceneGivesNoPerson) {
  SKIP_UNDER_THREAD_SANITIZER();
  const Geometry geometry = GeometryFromEnvironment();
  if (geometry.width != corvette::testing::kVtestWidth ||
      geometry.height != corvette::testing::kVtestHeight) {
    GTEST_SKIP() << "the still scene is made at vtest's own size";
  }
  // People walk until the motion detector is warm, then the scene is still (its people removed).
  auto frames = corvette::testing::ReadVtestFrames({.first = 0,
                                                    .step = 2,
                                                    .count = kWarmUpFrames + 10,
                                                    .width = geometry.width,
                                                    .height = geometry.height});
  const size_t walking = frames.size();
  const std::vector<uint8_t> background = corvette::testing::VtestStillBackground();
  frames.insert(frames.end(), 30, background);
  for (float min_score : {kDefaultMinScore, kPoolThreshold}) {
    SCOPED_TRACE("min_score " + std::to_string(min_score));
    const auto filter = PersonFilter(min_score);
    // The exhaustive detector may see a person in the still scene (a still false positive); the
    // pipeline, which looks only where something moved or is tracked, must not.
    const auto reference = Reference({background}, geometry, *filter, 0);
    std::printf("still scene, person min_score %.2f: %d reference person detections\n", min_score,
                corvette::testing::CountLabel(reference[0], "person"));

    FramePipeline pipeline(PipelineOptions(geometry, filter));
    int still_calls = 0;
    int still_people = 0;
    double now = 1'600'000'000.0;
    for (size_t i = 0; i < frames.size(); ++i) {
      now += kFrameInterval;
      const FrameProcessing& result = pipeline.Process(
          corvette::testing::I420Frame(frames[i], geometry.width, geometry.height, now));
      if (i < walking)
        continue;
      still_calls += result.detector_calls;
      still_people += corvette::testing::CountLabel(result.detections, "person");
    }
    EXPECT_GT(still_calls, 0) << "the pipeline never looked at the still scene";
    EXPECT_EQ(still_people, 0);
  }
}

}  // namespace
}  // namespace corvette::camera
