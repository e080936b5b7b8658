#include "stats/stats_document.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace corvette::stats {
namespace {

std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) {
    keys.insert(key);
  }
  return keys;
}

StatsInputs SampleInputs() {
  StatsInputs inputs;
  inputs.cameras.push_back({"front_door", 4.1234, 4.0, 0.0, 6.005, 52, 53});
  inputs.cameras.push_back({"back", 5.0, 4.9, 0.1, 7.7, 52, 0});
  inputs.detectors.push_back({"cpu1", 91.4321, 0.0, 42});
  inputs.uptime_seconds = 101113.9;
  inputs.version = "0.1.0-abcdef0";
  inputs.storage.push_back({"/dev/shm", {67.1, 16.6, 50.5, "tmpfs"}});
  inputs.storage.push_back({"/media/frigate/clips", {1000.0, 700.0, 300.0, "ext4"}});
  return inputs;
}

TEST(StatsDocumentTest, TopLevelKeysAreCamerasAndTheThreeReservedOnes) {
  nlohmann::json document = BuildStatsDocument(SampleInputs());
  EXPECT_EQ(Keys(document),
            (std::set<std::string>{"front_door", "back", "detectors", "detection_fps", "service"}));
}

TEST(StatsDocumentTest, CameraEntryHasExactlyTheSixFiguresRounded) {
  nlohmann::json camera = BuildStatsDocument(SampleInputs())["front_door"];
  EXPECT_EQ(Keys(camera), (std::set<std::string>{"camera_fps", "process_fps", "skipped_fps",
                                                 "detection_fps", "pid", "capture_pid"}));
  EXPECT_DOUBLE_EQ(camera["camera_fps"].get<double>(), 4.12);
  EXPECT_DOUBLE_EQ(camera["detection_fps"].get<double>(), 6.01);
  EXPECT_TRUE(camera["pid"].is_number_integer());
  EXPECT_EQ(camera["capture_pid"].get<int>(), 53);
}

TEST(StatsDocumentTest, RolesSayWhichOutputsWorkAndWhyNot) {
  StatsInputs inputs = SampleInputs();
  inputs.cameras[0].roles = {{"clips", "failed", "Could not write header for output file #0"},
                             {"detect", "running", ""}};
  nlohmann::json camera = BuildStatsDocument(inputs)["front_door"];
  EXPECT_EQ(camera["roles"], nlohmann::json::parse(R"({
      "clips": {"state": "failed", "error": "Could not write header for output file #0"},
      "detect": {"state": "running"}})"));
  EXPECT_FALSE(BuildStatsDocument(inputs)["back"].contains("roles"));
}

TEST(StatsDocumentTest, DetectorsAndDetectionFpsSum) {
  nlohmann::json document = BuildStatsDocument(SampleInputs());
  nlohmann::json detector = document["detectors"]["cpu1"];
  EXPECT_EQ(Keys(detector), (std::set<std::string>{"inference_speed", "detection_start", "pid"}));
  EXPECT_DOUBLE_EQ(detector["inference_speed"].get<double>(), 91.43);
  EXPECT_TRUE(detector["detection_start"].is_number_float());
  EXPECT_DOUBLE_EQ(document["detection_fps"].get<double>(), 13.71);
}

TEST(StatsDocumentTest, ServiceHasUptimeVersionAndStorageWithBothMountTypeKeys) {
  nlohmann::json service = BuildStatsDocument(SampleInputs())["service"];
  EXPECT_EQ(Keys(service), (std::set<std::string>{"uptime", "version", "storage"}));
  EXPECT_TRUE(service["uptime"].is_number_integer());
  EXPECT_EQ(service["uptime"].get<long long>(), 101113);
  EXPECT_EQ(service["version"], "0.1.0-abcdef0");
  nlohmann::json shm = service["storage"]["/dev/shm"];
  EXPECT_EQ(Keys(shm), (std::set<std::string>{"total", "used", "free", "mount_type", "mnt_type"}));
  EXPECT_EQ(shm["mount_type"], "tmpfs");
  EXPECT_EQ(shm["mnt_type"], "tmpfs");
  EXPECT_DOUBLE_EQ(shm["free"].get<double>(), 50.5);
}

TEST(StatsDocumentTest, NoCamerasStillGivesTheReservedKeys) {
  StatsInputs inputs;
  nlohmann::json document = BuildStatsDocument(inputs);
  EXPECT_EQ(Keys(document), (std::set<std::string>{"detectors", "detection_fps", "service"}));
  EXPECT_TRUE(document["detectors"].is_object());
  EXPECT_TRUE(document["service"]["storage"].is_object());
  EXPECT_DOUBLE_EQ(document["detection_fps"].get<double>(), 0.0);
}

TEST(StatsDocumentTest, CameraNamedLikeAReservedKeyIsLeftOut) {
  StatsInputs inputs = SampleInputs();
  inputs.cameras.push_back({"service", 1.0, 1.0, 0.0, 1.0, 1, 2});
  nlohmann::json document = BuildStatsDocument(inputs);
  EXPECT_TRUE(document["service"].contains("uptime"));
  EXPECT_FALSE(document["service"].contains("camera_fps"));
}

}  // namespace
}  // namespace corvette::stats
