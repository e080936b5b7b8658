#include "detect/detector_factory.h"

#include <gtest/gtest.h>

#include "detect/onnxruntime_library.h"
#include "vtest_model_input.h"

namespace corvette::detect {
namespace {

using testing::VtestWholeFrameRgb;

constexpr const char* kMissingLibrary = "/nonexistent/libonnxruntime.so.1";

TEST(DetectorFactoryTest, RuntimeNames) {
  for (Runtime r : {Runtime::kAuto, Runtime::kOnnxRuntime, Runtime::kOpenCv})
    EXPECT_EQ(ParseRuntime(RuntimeName(r)), r);
  EXPECT_EQ(RuntimeName(Runtime::kOnnxRuntime), "onnxruntime");
  EXPECT_EQ(ParseRuntime("opencv"), Runtime::kOpenCv);
  EXPECT_EQ(ParseRuntime("auto"), Runtime::kAuto);
  EXPECT_EQ(ParseRuntime("OpenCV"), std::nullopt);
  EXPECT_EQ(ParseRuntime("tensorrt"), std::nullopt);
  EXPECT_EQ(ParseRuntime(""), std::nullopt);
}

DetectorSpec Spec(Runtime runtime, std::string library = "") {
  return {runtime, DefaultModelPath(320), 320, 1, std::move(library)};
}

int People(Detector& detector) {
  std::vector<ModelDetection> detections;
  detector.Detect(VtestWholeFrameRgb(detector.input_size(), 100), 0.4f, 0.5f, &detections);
  int people = 0;
  for (const auto& d : detections)
    people += d.class_id == 0;
  return people;
}

TEST(DetectorFactoryTest, AutoIsOnnxRuntimeWhereItsLibraryLoads) {
  if (!OnnxRuntimeBuiltIn())
    GTEST_SKIP() << "this build has no ONNX Runtime backend";
  std::string reason = "unset";
  auto detector = CreateDetector(Spec(Runtime::kAuto), &reason);
  EXPECT_EQ(detector->runtime(), Runtime::kOnnxRuntime);
  EXPECT_EQ(reason, "unset");
  EXPECT_GE(People(*detector), 3);
}

TEST(DetectorFactoryTest, AutoFallsBackToOpenCvAndSaysWhy) {
  std::string reason;
  auto detector = CreateDetector(Spec(Runtime::kAuto, kMissingLibrary), &reason);
  EXPECT_EQ(detector->runtime(), Runtime::kOpenCv);
  if (OnnxRuntimeBuiltIn()) {
    EXPECT_NE(reason.find(kMissingLibrary), std::string::npos) << reason;
  }
  EXPECT_FALSE(reason.empty());
  EXPECT_GE(People(*detector), 3);
}

TEST(DetectorFactoryTest, OpenCvWhenAskedForEvenWhereOnnxRuntimeLoads) {
  std::string reason;
  auto detector = CreateDetector(Spec(Runtime::kOpenCv), &reason);
  EXPECT_EQ(detector->runtime(), Runtime::kOpenCv);
  EXPECT_TRUE(reason.empty());
  EXPECT_GE(People(*detector), 3);
}

TEST(DetectorFactoryTest, OnnxRuntimeWhenAskedForOrAnError) {
  EXPECT_THROW(CreateDetector(Spec(Runtime::kOnnxRuntime, kMissingLibrary)), std::runtime_error);
  if (OnnxRuntimeBuiltIn()) {
    EXPECT_EQ(CreateDetector(Spec(Runtime::kOnnxRuntime))->runtime(), Runtime::kOnnxRuntime);
  }
}

TEST(DetectorFactoryTest, AutoWithAModelNeitherCanLoadIsOpenCvsError) {
  DetectorSpec spec = Spec(Runtime::kAuto);
  spec.model_path = DefaultModelPath(416);  // for 416, asked to run at 320
  try {
    CreateDetector(spec);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not run at 320x320"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace corvette::detect
