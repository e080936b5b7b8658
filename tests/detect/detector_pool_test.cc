#include "detect/detector_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "../support/vtest_frames.h"
#include "detect/onnxruntime_library.h"
#include "detect/opencv_detector.h"

namespace corvette::detect {
namespace {

using testing::kVtestHeight;
using testing::kVtestWidth;
using testing::ReadVtestI420;

std::shared_ptr<const std::vector<uint8_t>> Frame100() {
  static const auto frame =
      std::make_shared<const std::vector<uint8_t>>(std::move(ReadVtestI420(100, 1)[0]));
  return frame;
}

I420View View(const std::vector<uint8_t>& f) {
  return I420View::Packed(f.data(), kVtestWidth, kVtestHeight);
}

int People(const RegionResult& r, float min_score) {
  int n = 0;
  for (const auto& d : r.detections)
    n += d.label == "person" && d.score >= min_score;
  return n;
}

// A gate the fault-injection hook waits on, so a test can hold a detector in the middle of an
// inference.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  void Wait() {
    std::unique_lock lock(mutex);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  void Open() {
    std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
  void AwaitWaiter() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [this] { return waiting > 0; });
  }
};

TEST(DetectorPoolTest, FindsPeopleInFramePixelsAndKeepsStats) {
  util::ManualClock clock;
  DetectorPoolOptions options;
  options.detectors = {{"cpu1", 2}};
  DetectorPool pool(options, clock);
  auto stats = pool.Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].name, "cpu1");
  EXPECT_DOUBLE_EQ(stats[0].inference_speed_ms, 10.0);
  EXPECT_DOUBLE_EQ(stats[0].detection_start, 0.0);
  EXPECT_EQ(stats[0].pid, getpid());

  const auto frame = Frame100();
  const std::vector<PixelBox> regions = {{0, 0, 768, 768}, {100, 0, 400, 300}};
  const auto results = pool.DetectRegions("front", frame, View(*frame), regions);
  ASSERT_EQ(results.size(), 2u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok) << results[i].error;
    for (const auto& d : results[i].detections) {
      EXPECT_EQ(d.region, regions[i]);
      EXPECT_GE(d.box.x1, regions[i].x1);
      EXPECT_LE(d.box.x2, regions[i].x2);
      EXPECT_EQ(d.area, d.box.area());
      EXPECT_FALSE(d.label.empty());
    }
  }
  EXPECT_GE(People(results[0], 0.4f), 3);
  // The people walk in the upper half of the frame: the 300 px region on them finds some at a
  // larger scale.
  EXPECT_GE(People(results[1], 0.4f), 2);
  // The manual clock did not move, so each inference counted 0 s: avg = 9 * avg / 10 twice.
  stats = pool.Stats();
  EXPECT_NEAR(stats[0].inference_speed_ms, 10.0 * 0.81, 1e-9);
  EXPECT_DOUBLE_EQ(stats[0].detection_start, 0.0);
}

TEST(DetectorPoolTest, ARequestWithNoAnswerIsGivenUpNotAnsweredStale) {
  Gate gate;
  std::atomic<int> calls{0};
  util::ManualClock clock(1'700'000'000.0);
  DetectorPoolOptions options;
  options.detectors = {{"cpu", 1}};
  options.timeout_seconds = 0.3;
  options.before_inference = [&](const std::string&) {
    if (calls++ == 0)
      gate.Wait();
  };
  DetectorPool pool(options, clock);
  const auto frame = Frame100();

  std::thread opener([&] {
    gate.AwaitWaiter();
    // While the detector is stuck its detection_start shows when the inference began.
    EXPECT_DOUBLE_EQ(pool.Stats()[0].detection_start, 1'700'000'000.0);
  });
  const std::vector<PixelBox> two = {{0, 0, 768, 768}, {100, 0, 400, 300}};
  const auto stuck = pool.DetectRegions("front", frame, View(*frame), two);
  opener.join();
  ASSERT_EQ(stuck.size(), 2u);
  for (const auto& r : stuck) {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "timed out");
    EXPECT_TRUE(r.detections.empty());
  }
  gate.Open();

  // The next request gets its own answer (waited for without a deadline, so a slow machine cannot
  // fail the test): a region of the empty band below the frame finds no people.
  RegionRequest next;
  next.camera = "front";
  next.frame_owner = frame;
  next.frame = View(*frame);
  next.region = {0, 600, 300, 900};
  const RegionResult fresh = pool.Submit(next).get();
  ASSERT_TRUE(fresh.ok) << fresh.error;
  EXPECT_EQ(People(fresh, 0.3f), 0);
  EXPECT_TRUE(fresh.detections.empty());
  // The abandoned second region was skipped, not run: two inferences, not three.
  EXPECT_EQ(calls.load(), 2);
}

TEST(DetectorPoolTest, TwoDetectorsShareTheQueue) {
  std::mutex mutex;
  std::set<std::string> used;
  DetectorPoolOptions options;
  options.detectors = {{"a", 1}, {"b", 1}};
  options.before_inference = [&](const std::string& name) {
    std::lock_guard lock(mutex);
    used.insert(name);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  DetectorPool pool(options);
  const auto frame = Frame100();
  const std::vector<PixelBox> regions(6, PixelBox{0, 0, 768, 768});
  const auto results = pool.DetectRegions("front", frame, View(*frame), regions);
  ASSERT_EQ(results.size(), 6u);
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.detections.size(), results[0].detections.size());
  }
  EXPECT_EQ(used.size(), 2u);
  const auto stats = pool.Stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].name, "a");
  EXPECT_EQ(stats[1].name, "b");
}

TEST(DetectorPoolTest, PreparedRgbInputIsAccepted) {
  DetectorPool pool({});
  cv::Mat black(320, 320, CV_8UC3, cv::Scalar(0, 0, 0));
  RegionRequest request;
  request.camera = "front";
  request.region = {0, 0, 320, 320};
  request.rgb = black;
  const auto result = pool.Submit(request).get();
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.detections.empty());
}

TEST(DetectorPoolTest, MissingModelIsAClearStartupError) {
  DetectorPoolOptions options;
  options.model_path = "/nonexistent/model.onnx";
  try {
    DetectorPool pool(options);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.onnx"), std::string::npos) << e.what();
  }
  options.model_path = "";
  options.labelmap_path = "/nonexistent/labelmap.txt";
  EXPECT_THROW(DetectorPool pool(options), std::runtime_error);
}

// Each detector on its runtime: auto is ONNX Runtime where the library loads (else OpenCV), the
// others as asked; a required runtime that cannot load is a startup error naming the detector.
TEST(DetectorPoolTest, EachDetectorRunsOnItsRuntime) {
  DetectorPoolOptions options;
  options.detectors = {{"a", 1, Runtime::kAuto}, {"b", 1, Runtime::kOpenCv}};
  {
    DetectorPool pool(options);
    const auto stats = pool.Stats();
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[0].runtime, OnnxRuntimeBuiltIn() ? Runtime::kOnnxRuntime : Runtime::kOpenCv);
    EXPECT_EQ(stats[1].runtime, Runtime::kOpenCv);
    const auto frame = Frame100();
    const std::vector<PixelBox> regions = {{0, 0, 768, 768}, {0, 0, 768, 768}};
    const auto results = pool.DetectRegions("front", frame, View(*frame), regions);
    for (const auto& r : results) {
      ASSERT_TRUE(r.ok) << r.error;
      EXPECT_GE(People(r, 0.4f), 3);
    }
  }
  options.onnxruntime_library = "/nonexistent/libonnxruntime.so.1";
  {
    DetectorPool pool(options);
    EXPECT_EQ(pool.Stats()[0].runtime, Runtime::kOpenCv);
  }
  options.detectors = {{"c", 1, Runtime::kOnnxRuntime}};
  try {
    DetectorPool pool(options);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("detector c (runtime onnxruntime)"), std::string::npos)
        << e.what();
  }
}

TEST(DetectorPoolTest, Int8RunsTheInt8ModelOnOnnxRuntimeOrRefusesToStart) {
  DetectorPoolOptions options;
  options.detectors = {{"quick", 1, Runtime::kAuto, Precision::kInt8}};
  if (OnnxRuntimeBuiltIn() && std::filesystem::exists(DefaultModelPath(320, Precision::kInt8))) {
    DetectorPool pool(options);
    EXPECT_EQ(pool.Stats()[0].runtime, Runtime::kOnnxRuntime);
    const auto frame = Frame100();
    const std::vector<PixelBox> regions = {{0, 0, 768, 768}};
    const auto results = pool.DetectRegions("front", frame, View(*frame), regions);
    ASSERT_TRUE(results[0].ok) << results[0].error;
    EXPECT_GE(People(results[0], 0.4f), 3);
  }
  const auto refused = [&](const DetectorPoolOptions& o, const std::string& why) {
    try {
      DetectorPool pool(o);
      ADD_FAILURE() << "started; expected: " << why;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  // Never a silent fall back to float: auto without a loadable ONNX Runtime is an error.
  DetectorPoolOptions no_library = options;
  no_library.onnxruntime_library = "/nonexistent/libonnxruntime.so.1";
  refused(no_library, "detector quick (runtime auto, precision int8)");
  DetectorPoolOptions on_opencv = options;
  on_opencv.detectors[0].runtime = Runtime::kOpenCv;
  refused(on_opencv, "precision int8 runs on ONNX Runtime only");
  DetectorPoolOptions own_model = options;
  own_model.model_path = DefaultModelPath(320);
  refused(own_model, "precision int8 is the built-in model's int8 version");
}

TEST(DetectorPoolTest, ToFrameDetectionScalesByTheRegionSide) {
  Labelmap labels = Labelmap::Parse("0  person\n");
  const ModelDetection d{0, 0.7f, 32.0f, 64.0f, 160.0f, 320.0f};
  const auto f = ToFrameDetection(d, {100, 50, 740, 690}, 320, labels);  // side 640: 2x
  EXPECT_EQ(f.label, "person");
  EXPECT_EQ(f.box, (PixelBox{164, 178, 420, 690}));
  EXPECT_EQ(f.area, 256 * 512);
}

}  // namespace
}  // namespace corvette::detect
