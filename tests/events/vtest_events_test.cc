// End to end on real footage: OpenCV's vtest.avi (people walking, 768x576) decoded by the real
// ffmpeg, the real motion detector, the real NanoDet model through the DetectorPool, the tracker,
// then the EventProcessor and a real SQLite EventStore. Frames are fed as fast as they are
// processed (not at -re speed), with their footage times (5 fps: every 2nd frame).
#include <gtest/gtest.h>

#include <chrono>
#include <opencv2/core.hpp>
#include <thread>

#include "../support/detection_chain.h"
#include "../support/detector_pool_suite.h"
#include "../support/vtest_frames.h"
#include "../support/wait_for.h"
#include "camera/camera.h"
#include "detect/detector_pool.h"
#include "detect/frame_detection.h"
#include "detect/object_filter.h"
#include "events/base64.h"
#include "events/event_processor.h"
#include "image/jpeg.h"
#include "motion/motion_detector.h"
#include "storage/event_store.h"
#include "test_support.h"
#include "track/tracker.h"

namespace corvette::events {
namespace {

using corvette::testing::kVtestHeight;
using corvette::testing::kVtestWidth;

class VtestEventsTest : public corvette::testing::DetectorPoolSuite {
 protected:
  static void SetUpTestSuite() {
    DetectorPoolSuite::SetUpTestSuite();
    // 20 s of footage at 5 fps.
    frames_ =
        new std::vector<std::vector<uint8_t>>(corvette::testing::ReadVtestI420Every(0, 2, 100));
  }
  static void TearDownTestSuite() {
    delete frames_;
    DetectorPoolSuite::TearDownTestSuite();
  }

  // Runs `count` frames through motion -> detection -> tracker -> processor, then lets every
  // object end (the detector looks at the whole frame and finds nothing).
  static void Run(EventProcessor& processor, const detect::ObjectFilter& filter, size_t count) {
    motion::MotionDetector motion(kVtestWidth, kVtestHeight, motion::MotionOptions{});
    track::TrackerOptions tracker_options;
    tracker_options.max_disappeared = 10;
    tracker_options.seed = 1;
    track::Tracker tracker(tracker_options);
    double t = 1'600'000'000.0;
    std::vector<detect::PixelBox> tracked;
    for (size_t i = 0; i < count && i < frames_->size(); ++i, t += 0.2) {
      std::shared_ptr<const video::Frame> frame =
          corvette::testing::I420Frame((*frames_)[i], kVtestWidth, kVtestHeight, t);
      const std::vector<detect::PixelBox>& motion_boxes = motion.Detect(frame->y(), kVtestWidth);
      tracked.clear();
      for (const auto& o : tracker.Objects())
        tracked.push_back(o.box);
      const detect::I420View view =
          detect::I420View::Packed(frame->data(), kVtestWidth, kVtestHeight);
      detect::FrameDetectionResult result =
          detect::DetectFrame(pool(), filter, "vtest", frame, view, motion_boxes, tracked);
      tracker.Update(t, corvette::testing::TrackerDetections(result), result.regions);
      Feed(processor, frame, tracker);
    }
    const track::Box whole[] = {{0, 0, kVtestWidth, kVtestHeight}};
    for (int i = 0; i <= tracker_options.max_disappeared + 1; ++i, t += 0.2) {
      tracker.Update(t, {}, whole);
      Feed(processor, MakeBlack(t), tracker);
    }
    processor.Flush();
  }

  static void Feed(EventProcessor& processor, const std::shared_ptr<const video::Frame>& frame,
                   const track::Tracker& tracker) {
    camera::CameraSnapshot snapshot;
    camera::FrameResult result{frame, tracker.Objects(), tracker.Removed(), true, snapshot};
    processor.OnFrame(result);
  }

  static std::shared_ptr<const video::Frame> MakeBlack(double t) {
    return testing::MakeFrame(kVtestWidth, kVtestHeight, t);
  }

  static EventProcessorOptions Options(storage::EventStore* store, const std::string& clips) {
    EventProcessorOptions o;
    o.camera = "vtest";
    o.frame_width = kVtestWidth;
    o.frame_height = kVtestHeight;
    track::Zone walkway;
    walkway.name = "walkway";  // the paved lower half where people walk
    walkway.polygon = {{0, 250}, {767, 250}, {767, 575}, {0, 575}};
    o.zones = {walkway};
    o.store = store;
    o.clips_dir = clips;
    o.snapshots.enabled = true;
    return o;
  }

  static std::vector<std::vector<uint8_t>>* frames_;
};

std::vector<std::vector<uint8_t>>* VtestEventsTest::frames_ = nullptr;

TEST_F(VtestEventsTest, WalkingPeopleBecomeStoredEventsWithThumbnailsAndTheWalkwayZone) {
  testing::TestDir dir;
  testing::TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessor processor(Options(&store, clips.path()));
  auto listener = std::make_shared<testing::RecordingListener>();
  processor.AddListener(listener);
  const detect::ObjectFilter filter({"person"}, {});
  Run(processor, filter, frames_->size());

  std::vector<storage::EventRecord> events = store.Query({});
  ASSERT_GE(events.size(), 2u) << "people walk through vtest.avi";
  bool walkway = false;
  for (const auto& e : events) {
    EXPECT_EQ(e.label, "person");
    EXPECT_EQ(e.camera, "vtest");
    EXPECT_GT(e.end_time, e.start_time) << e.id;
    EXPECT_GE(e.top_score, 0.7) << e.id;
    std::optional<std::string> thumbnail = Base64Decode(e.thumbnail);
    ASSERT_TRUE(thumbnail.has_value()) << e.id;
    cv::Mat decoded = image::DecodeToBgr(*thumbnail);
    EXPECT_EQ(decoded.rows, 175) << e.id;
    EXPECT_GT(cv::mean(decoded)[0] + cv::mean(decoded)[1], 10.0) << e.id << ": black thumbnail";
    EXPECT_TRUE(e.has_snapshot) << e.id;
    EXPECT_TRUE(std::filesystem::exists(clips.File("vtest-" + e.id + ".jpg"))) << e.id;
    walkway = walkway || std::find(e.zones.begin(), e.zones.end(), "walkway") != e.zones.end();
  }
  EXPECT_TRUE(walkway) << "no event entered the walkway";
  // The mask test below runs the first 40 frames: without the mask they already give an event.
  double first_start = events.front().start_time;
  for (const auto& e : events)
    first_start = std::min(first_start, e.start_time);
  EXPECT_LT(first_start, 1'600'000'000.0 + 40 * 0.2);
  // Every stored event had new ... end messages with its id.
  std::lock_guard lock(listener->mutex);
  size_t ends = 0;
  for (const auto& m : listener->messages)
    ends += m.type == "end";
  EXPECT_EQ(ends, events.size());
  EXPECT_EQ(listener->stored.size(), events.size());
}

TEST_F(VtestEventsTest, AnObjectMaskOverTheWholeFrameGivesNoEvents) {
  testing::TestDir dir;
  testing::TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessor processor(Options(&store, clips.path()));
  auto listener = std::make_shared<testing::RecordingListener>();
  processor.AddListener(listener);
  const cv::Mat mask = cv::Mat::zeros(kVtestHeight, kVtestWidth, CV_8UC1);
  const detect::ObjectFilter filter({"person"}, {}, mask);
  Run(processor, filter, 40);
  EXPECT_TRUE(store.Query({}).empty());
  EXPECT_TRUE(listener->messages.empty());
  EXPECT_TRUE(clips.Names().empty());
}

// The real Camera (ffmpeg at -re speed, 5 fps, its own processor thread, detection and tracker)
// feeding the processor through CameraOptions::on_frame.
TEST_F(VtestEventsTest, ARealCameraFeedsTheProcessorThroughItsFrameObserver) {
  testing::TestDir dir;
  testing::TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessor processor(Options(&store, clips.path()));
  camera::CameraOptions options;
  options.name = "vtest";
  options.width = kVtestWidth;
  options.height = kVtestHeight;
  options.capture.commands.push_back(
      {{"detect"},
       {"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-i", corvette::testing::kVtestPath,
        "-t", "28", "-vf", "fps=5", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}});
  options.detector_pool = &pool();
  options.object_filter = std::make_shared<const detect::ObjectFilter>(
      std::vector<std::string>{"person"}, std::map<std::string, detect::LabelFilter>{});
  options.tracker.max_disappeared = 10;
  options.on_frame = processor.Observer();
  camera::Camera camera(std::move(options));
  camera.Start();
  corvette::testing::WaitFor([&] { return processor.counters().events_stored >= 1; },
                             std::chrono::seconds(180), std::chrono::milliseconds(200));
  camera.Stop();
  processor.Flush();

  ASSERT_GE(processor.counters().events_stored, 1u) << "no person event ended in 180 s";
  std::vector<storage::EventRecord> events = store.Query({});
  ASSERT_FALSE(events.empty());
  size_t finished = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e.label, "person");
    EXPECT_GE(e.end_time, e.start_time) << e.id;
    std::optional<std::string> thumbnail = Base64Decode(e.thumbnail);
    ASSERT_TRUE(thumbnail.has_value()) << e.id;
    EXPECT_EQ(image::DecodeToBgr(*thumbnail).rows, 175) << e.id;
    if (e.has_snapshot) {
      ++finished;
      EXPECT_GT(e.end_time, e.start_time) << e.id;
      EXPECT_TRUE(std::filesystem::exists(clips.File("vtest-" + e.id + ".jpg"))) << e.id;
    }
  }
  EXPECT_GE(finished, 1u);
}

}  // namespace
}  // namespace corvette::events
