#include "detect/onnxruntime_detector.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../support/temp_dir.h"
#include "detect/onnxruntime_library.h"
#include "detect/opencv_detector.h"
#include "vtest_model_input.h"

namespace corvette::detect {
namespace {

using testing::VtestWholeFrameRgb;

// Largest difference allowed between an ONNX Runtime output value and OpenCV's (float32 both; the
// two sum the convolutions in different orders). Scores are in [0, 1], box logits within about
// +-20; measured differences are below 1e-5.
constexpr float kOutputTolerance = 1e-4f;

#define SKIP_WITHOUT_ONNXRUNTIME()                                                  \
  if (!OnnxRuntimeBuiltIn())                                                        \
  GTEST_SKIP() << "this build has no ONNX Runtime backend (the fetch at configure " \
                  "time failed)"

float MaxAbsDiff(std::span<const float> a, std::span<const float> b) {
  float worst = 0.0f;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// The same input tensor through both runtimes: every output value within kOutputTolerance, and
// the same detections after decode and NMS (threshold 0.3, below the pool's 0.4, to compare more).
void ExpectSameAsOpenCv(int size) {
  OpenCvDetector opencv(DefaultModelPath(size), size);
  OnnxRuntimeDetector ort(DefaultModelPath(size), size, {2, ""});
  for (int frame : {100, 300, 500}) {
    SCOPED_TRACE(fmt::format("size {} vtest frame {}", size, frame));
    const cv::Mat rgb = VtestWholeFrameRgb(size, frame);
    opencv.SetInput(rgb);
    ort.SetInput(rgb);
    const NanoDetOutputs& want = opencv.Run();
    const NanoDetOutputs& got = ort.Run();
    EXPECT_EQ(got.channel_major, want.channel_major);
    for (int level = 0; level < 3; ++level) {
      ASSERT_EQ(got.scores[level].size(), want.scores[level].size());
      ASSERT_EQ(got.boxes[level].size(), want.boxes[level].size());
      EXPECT_LE(MaxAbsDiff(got.scores[level], want.scores[level]), kOutputTolerance) << level;
      EXPECT_LE(MaxAbsDiff(got.boxes[level], want.boxes[level]), kOutputTolerance) << level;
    }
    std::vector<ModelDetection> want_detections, got_detections;
    opencv.Decode(0.3f, 0.5f, &want_detections);
    ort.Decode(0.3f, 0.5f, &got_detections);
    EXPECT_GE(want_detections.size(), 3u);
    ASSERT_EQ(got_detections.size(), want_detections.size());
    for (size_t i = 0; i < want_detections.size(); ++i) {
      const ModelDetection& w = want_detections[i];
      const ModelDetection& g = got_detections[i];
      EXPECT_EQ(g.class_id, w.class_id) << i;
      EXPECT_NEAR(g.score, w.score, kOutputTolerance) << i;
      // A box side is a softmax expectation times the stride (at most 32): 1e-4 in the logits
      // moves it by far less than 0.01 pixel.
      EXPECT_NEAR(g.x1, w.x1, 0.01f) << i;
      EXPECT_NEAR(g.y1, w.y1, 0.01f) << i;
      EXPECT_NEAR(g.x2, w.x2, 0.01f) << i;
      EXPECT_NEAR(g.y2, w.y2, 0.01f) << i;
    }
  }
}

TEST(OnnxRuntimeDetectorTest, GivesOpenCvsOutputsAndDetectionsAt320) {
  SKIP_WITHOUT_ONNXRUNTIME();
  ExpectSameAsOpenCv(320);
}

TEST(OnnxRuntimeDetectorTest, GivesOpenCvsOutputsAndDetectionsAt416) {
  SKIP_WITHOUT_ONNXRUNTIME();
  ExpectSameAsOpenCv(416);
}

int ThreadsOfThisProcess() {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    (void)entry;
    ++n;
  }
  return n;
}

// intra_op_num_threads = num_threads: the calling thread and num_threads - 1 of ONNX Runtime's.
TEST(OnnxRuntimeDetectorTest, RunsExactlyItsThreadCount) {
  SKIP_WITHOUT_ONNXRUNTIME();
  OnnxRuntimeLibrary::Load();  // the library and its environment first: they start no thread
  for (int threads : {1, 2, 3}) {
    const int before = ThreadsOfThisProcess();
    OnnxRuntimeDetector detector(DefaultModelPath(320), 320, {threads, ""});
    EXPECT_EQ(detector.num_threads(), threads);
    detector.Run();
    EXPECT_EQ(ThreadsOfThisProcess() - before, threads - 1) << threads << " thread(s)";
  }
}

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Its threads sleep while there is no work: the process's CPU time hardly moves while a
// two-threaded detector waits between inferences. (ONNX Runtime's spinning, which the detector
// turns off, lasts well under a millisecond after each parallel section, so this bound would also
// hold with it on; RunsExactlyItsThreadCount and the session options are what keep it off.)
TEST(OnnxRuntimeDetectorTest, AnIdleDetectorUsesNoCpu) {
  SKIP_WITHOUT_ONNXRUNTIME();
  OnnxRuntimeDetector detector(DefaultModelPath(320), 320, {2, ""});
  detector.SetInput(VtestWholeFrameRgb(320, 100));
  for (int i = 0; i < 5; ++i)
    detector.Run();
  const double before = ProcessCpuSeconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double idle = ProcessCpuSeconds() - before;
  EXPECT_LT(idle, 0.025) << "CPU seconds used in 0.5 s without inferences";
}

TEST(OnnxRuntimeDetectorTest, AMissingLibraryIsAClearError) {
  try {
    OnnxRuntimeDetector detector(DefaultModelPath(320), 320,
                                 {1, "/nonexistent/libonnxruntime.so.1"});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (OnnxRuntimeBuiltIn()) {
      EXPECT_NE(what.find("/nonexistent/libonnxruntime.so.1"), std::string::npos) << what;
    }
    EXPECT_NE(what.find("runtime: opencv"), std::string::npos) << what;
  }
}

TEST(OnnxRuntimeDetectorTest, AModelItCannotLoadIsAClearErrorNamingTheFile) {
  SKIP_WITHOUT_ONNXRUNTIME();
  corvette::testing::TempDir dir("ort-model");
  const std::string path = dir.File("garbage.onnx");
  std::ofstream(path) << "this is not an onnx model\n";
  try {
    OnnxRuntimeDetector detector(path, 320);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("not an ONNX model ONNX Runtime can load"), std::string::npos) << what;
  }
}

TEST(OnnxRuntimeDetectorTest, AModelForAnotherSizeIsAClearError) {
  SKIP_WITHOUT_ONNXRUNTIME();
  try {
    OnnxRuntimeDetector detector(DefaultModelPath(416), 320);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(DefaultModelPath(416)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1x3x320x320"), std::string::npos) << e.what();
  }
}

TEST(OnnxRuntimeDetectorTest, AMissingModelFileIsAClearError) {
  try {
    OnnxRuntimeDetector detector("/nonexistent/dir/nanodet-320.onnx", 320);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace corvette::detect
