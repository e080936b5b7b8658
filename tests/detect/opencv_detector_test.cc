#include "detect/opencv_detector.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "detect/labelmap.h"
#include "detect/nms.h"
#include "test_paths.h"
#include "vtest_model_input.h"

namespace corvette::detect {
namespace {

using testing::VtestWholeFrameRgb;

std::string ModelPath(int size) {
  return fmt::format("{}/model/nanodet-{}.onnx", CORVETTE_BINARY_DIR, size);
}

TEST(OpenCvDetectorTest, DefaultModelPathIsInTheBuildTree) {
  EXPECT_EQ(DefaultModelPath(320), ModelPath(320));
  EXPECT_TRUE(std::filesystem::exists(DefaultModelPath(320)));
  EXPECT_TRUE(std::filesystem::exists(DefaultLabelmapPath()));
}

TEST(OpenCvDetectorTest, MissingModelFileIsAClearError) {
  try {
    OpenCvDetector detector("/nonexistent/dir/nanodet-320.onnx", 320);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/nanodet-320.onnx"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

TEST(OpenCvDetectorTest, GarbageModelFileIsAClearError) {
  const auto path = std::filesystem::temp_directory_path() / "corvette-garbage-model.onnx";
  {
    std::ofstream out(path);
    out << "this is not an onnx model\n";
  }
  try {
    OpenCvDetector detector(path.string(), 320);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not an ONNX model"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(OpenCvDetectorTest, ModelForAnotherSizeIsAClearError) {
  try {
    OpenCvDetector detector(ModelPath(416), 320);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(ModelPath(416)), std::string::npos) << e.what();
  }
}

// Runs the whole frame of vtest.avi (squeezed into a square region) through the model.
std::vector<ModelDetection> DetectWholeFrame(int size, int frame_index) {
  OpenCvDetector detector(ModelPath(size), size);
  std::vector<ModelDetection> detections;
  detector.Detect(VtestWholeFrameRgb(size, frame_index), 0.3f, 0.5f, &detections);
  return detections;
}

int CountPeople(const std::vector<ModelDetection>& detections, float min_score) {
  int people = 0;
  for (const auto& d : detections) {
    if (d.class_id == 0 && d.score >= min_score)
      ++people;
  }
  return people;
}

TEST(OpenCvDetectorTest, FindsThePeopleOfAVtestFrameAt320) {
  const auto detections = DetectWholeFrame(320, 100);
  const Labelmap labels = Labelmap::Load(DefaultLabelmapPath());
  for (const auto& d : detections) {
    std::printf("%-10s %.2f (%.0f,%.0f)-(%.0f,%.0f)\n", labels.Label(d.class_id).c_str(), d.score,
                d.x1, d.y1, d.x2, d.y2);
  }
  EXPECT_GE(CountPeople(detections, 0.4f), 3);
  for (const auto& d : detections) {
    EXPECT_LT(d.x1, d.x2);
    EXPECT_LT(d.y1, d.y2);
    EXPECT_GE(d.x1, 0.0f);
    EXPECT_LE(d.x2, 320.0f);
    // Nothing is found in the black band below the frame (768x576 scaled into the top 240 rows).
    EXPECT_LT(d.y1, 240.0f);
  }
}

TEST(OpenCvDetectorTest, FindsThePeopleOfAVtestFrameAt416) {
  const auto detections = DetectWholeFrame(416, 100);
  EXPECT_GE(CountPeople(detections, 0.4f), 4);
}

TEST(OpenCvDetectorTest, Int8KeepsThePeople) {
  OpenCvDetector fp32(ModelPath(320), 320);
  OpenCvDetector int8(ModelPath(320), 320);
  int8.QuantizeInt8(VtestWholeFrameRgb(320, 100));
  ASSERT_TRUE(int8.is_int8());
  for (int frame : {300, 500}) {
    const cv::Mat rgb = VtestWholeFrameRgb(320, frame);
    std::vector<ModelDetection> want, got;
    fp32.Detect(rgb, 0.4f, 0.5f, &want);
    int8.Detect(rgb, 0.4f, 0.5f, &got);
    const int want_people = CountPeople(want, 0.45f);
    EXPECT_GE(CountPeople(got, 0.4f), want_people - 1) << "frame " << frame;
    // Every confident float32 person has an int8 person at nearly the same place.
    for (const auto& w : want) {
      if (w.class_id != 0 || w.score < 0.5f)
        continue;
      float best = 0.0f;
      for (const auto& g : got) {
        if (g.class_id == 0)
          best = std::max(best, IntersectionOverUnion(w, g));
      }
      EXPECT_GT(best, 0.7f) << "frame " << frame << " person at " << w.x1 << "," << w.y1;
    }
  }
}

}  // namespace
}  // namespace corvette::detect
