#include "app/app.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

#include "app/logging.h"

namespace corvette::app {
namespace {

namespace fs = std::filesystem;

// The config with server.port 0 (an ephemeral port: the loader itself only accepts 1-65535).
config::Config LoadOrDie(const std::string& yaml) {
  config::LoadResult result = config::LoadConfigText(yaml, config::Format::kYaml, {});
  for (const auto& error : result.errors) {
    ADD_FAILURE() << error;
  }
  if (!result.config) {
    throw std::runtime_error("config did not load");
  }
  result.config->server.port = 0;
  return *result.config;
}

class AppTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(testing::TempDir()) /
        ("app_test_" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Yaml(const std::string& clips) const {
    return "server: {host: 127.0.0.1, port: 5000}\n"
           "storage: {clips: " +
           clips + ", recordings: " + (root_ / "rec").string() +
           ", cache: " + (root_ / "cache").string() +
           "}\n"
           "database: {path: " +
           (root_ / "db" / "frigate.db").string() +
           "}\n"
           "detectors: {cpu1: {type: cpu}}\n"
           "cameras: {}\n";
  }

  fs::path root_;
};

TEST_F(AppTest, StartsCreatesFoldersServesStatsAndStops) {
  util::ManualClock clock;
  App app(LoadOrDie(Yaml((root_ / "clips").string())), {}, clock);
  auto error = app.Start();
  ASSERT_FALSE(error.has_value()) << *error;
  EXPECT_NE(app.http_port(), 0);
  for (const char* folder : {"clips", "rec", "cache", "db"}) {
    EXPECT_TRUE(fs::is_directory(root_ / folder)) << folder;
  }
  clock.Advance(42.7);
  nlohmann::json stats = app.StatsDocument();
  std::set<std::string> keys;
  for (const auto& [key, value] : stats.items())
    keys.insert(key);
  // No cameras: their entries (and the detector pool they need) are tested with the pipeline.
  EXPECT_EQ(keys, (std::set<std::string>{"detectors", "detection_fps", "service"}));
  EXPECT_EQ(stats["service"]["uptime"], 42);
  EXPECT_TRUE(stats["detectors"].contains("cpu1"));
  EXPECT_EQ(stats["service"]["storage"].size(), 4u);
  EXPECT_TRUE(stats["service"]["storage"].contains((root_ / "clips").string()));
  EXPECT_TRUE(app.ConfigDocument().contains("cameras"));
  app.Stop();
  app.Stop();  // idempotent
}

TEST_F(AppTest, UncreatableStorageFolderFailsClearly) {
  fs::create_directories(root_);
  { std::ofstream blocker(root_ / "file"); }
  App app(LoadOrDie(Yaml((root_ / "file" / "clips").string())));
  auto error = app.Start();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot create storage folder"), std::string::npos) << *error;
  EXPECT_NE(error->find((root_ / "file" / "clips").string()), std::string::npos) << *error;
  EXPECT_EQ(app.http_port(), 0);
}

TEST(LoggingTest, ConfigLevelsApplyToCorvetteLoggersByFrigateName) {
  SetUpLogging();
  config::LoggerConfig logger;
  logger.default_level = "warning";
  logger.logs["frigate.app"] = "debug";
  ApplyLoggerConfig(logger);
  EXPECT_EQ(Log().level(), spdlog::level::debug);
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::warn);
  logger.logs.clear();
  logger.default_level = "info";
  ApplyLoggerConfig(logger);
  EXPECT_EQ(Log().level(), spdlog::level::info);
}

}  // namespace
}  // namespace corvette::app
