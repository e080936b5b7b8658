#include "http/recording_routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "../storage/segment_fixture.h"
#include "../storage/test_dir.h"
#include "http/file_body.h"
#include "storage/media_layout.h"
#include "storage/recordings.h"

namespace corvette::http {
namespace {
namespace fs = std::filesystem;

// Three real 2-s segments of one camera, one after another, in the tree and the index.
class RecordingRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    segments_ = corvette::testing::VtestSegments(2, 3);
    dir_ = storage_dir_.File("recordings");
    fs::create_directories(dir_);
    index_ = std::make_shared<storage::RecordingIndex>(storage_dir_.File("frigate.db"));
    for (int i = 0; i < 3; ++i) {
      double start = start_ + 2.0 * i;
      std::string path = storage::RecordingPath(dir_, "front", storage::EpochToLocalTime(start));
      fs::create_directories(fs::path(path).parent_path());
      fs::copy_file(segments_[i], path);
      index_->Add({path, "front", start, start + corvette::testing::FfprobeDuration(path),
                   static_cast<std::int64_t>(fs::file_size(path))});
    }
    RecordingRoutesOptions options;
    options.index = index_;
    options.cameras = {"front", "back"};
    options.recordings_dir = dir_;
    options.now = [this] { return now_; };
    AddRecordingRoutes(router_, options);
  }
  Response Get(const std::string& target,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    return router_.Handle("GET", target, std::move(headers));
  }
  std::string Export(double start, double end) {
    return fmt::format("/api/front/start/{:.3f}/end/{:.3f}/clip.mp4", start, end);
  }
  // The bytes of a file response, written to a file of the test folder.
  std::string Save(const Response& response, const std::string& name) {
    EXPECT_NE(response.file, nullptr);
    std::string bytes(response.file->length(), '\0');
    EXPECT_EQ(::pread(response.file->fd(), bytes.data(), bytes.size(),
                      static_cast<off_t>(response.file->offset())),
              static_cast<ssize_t>(bytes.size()));
    std::string path = storage_dir_.File(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  storage::testing::TestDir storage_dir_;
  std::string dir_;
  std::vector<std::string> segments_;
  std::shared_ptr<storage::RecordingIndex> index_;
  double start_ = 1'790'000'000.0;
  double now_ = start_ + 100.0;
  Router router_;
};

TEST_F(RecordingRoutesTest, TheIndexGivesSpansGapsAndTheRangeAsked) {
  Response response =
      Get(fmt::format("/api/front/recordings?after={}&before={}", start_ - 10, start_ + 20));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json index = nlohmann::json::parse(response.body);
  EXPECT_EQ(index["camera"], "front");
  EXPECT_EQ(index["after"], start_ - 10);
  ASSERT_EQ(index["spans"].size(), 1u) << index.dump();
  EXPECT_EQ(index["spans"][0]["start"], start_);
  EXPECT_NEAR(index["spans"][0]["end"].get<double>(), start_ + 6, 0.3);
  EXPECT_EQ(index["spans"][0]["segments"], 3);
  ASSERT_EQ(index["gaps"].size(), 2u);
  EXPECT_EQ(index["gaps"][0], (nlohmann::json{{"start", start_ - 10}, {"end", start_}}));
  EXPECT_EQ(index["gaps"][1]["end"], start_ + 20);
  EXPECT_TRUE(index["events"].empty());

  // Defaults: the last day up to now; a range reaching past now has no gap after now.
  nlohmann::json day = nlohmann::json::parse(Get("/api/front/recordings").body);
  EXPECT_EQ(day["before"], now_);
  EXPECT_EQ(day["after"], now_ - 86400);
  nlohmann::json ahead = nlohmann::json::parse(
      Get(fmt::format("/api/front/recordings?after={}&before={}", start_, now_ + 1000)).body);
  EXPECT_EQ(ahead["gaps"].back()["end"], now_);
  EXPECT_TRUE(nlohmann::json::parse(Get("/api/back/recordings").body)["spans"].empty());
}

TEST_F(RecordingRoutesTest, BadIndexRangesAre400AndUnknownCamerasAre404) {
  EXPECT_EQ(Get("/api/nope/recordings").status, 404);
  Response reversed = Get("/api/front/recordings?after=10&before=5");
  EXPECT_EQ(reversed.status, 400);
  EXPECT_EQ(reversed.body, "before: must be greater than after");
  EXPECT_EQ(Get("/api/front/recordings?after=0&before=3000000").status, 400);
  EXPECT_EQ(Get("/api/front/recordings?after=abc").status, 400);
}

TEST_F(RecordingRoutesTest, AnExportIsOneMp4OfTheRangeByStreamCopy) {
  Response response = Get(Export(start_ + 1, start_ + 5));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "video/mp4");
  ASSERT_NE(response.FindHeader("Content-Disposition"), nullptr);
  EXPECT_EQ(response.FindHeader("Content-Disposition")->find("attachment; filename=\"front-"), 0u);
  std::string path = Save(response, "export.mp4");
  // Keyframes are 1 s apart: the start may come up to 1 s early.
  double duration = corvette::testing::FfprobeDuration(path);
  EXPECT_GE(duration, 3.8);
  EXPECT_LE(duration, 5.2);
  EXPECT_TRUE(corvette::testing::DecodesWithoutErrors(path));
  // The index comes first: playable from the first byte.
  std::string head(64, '\0');
  std::ifstream(path, std::ios::binary).read(head.data(), head.size());
  EXPECT_LT(head.find("moov"), head.find("mdat"));

  // A player's Range request gets part of the same file.
  Response part = Get(Export(start_ + 1, start_ + 5), {{"Range", "bytes=0-99"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.file->length(), 100u);
  const std::string exports = storage::ExportsFolder(dir_);
  EXPECT_EQ(std::distance(fs::directory_iterator(exports), fs::directory_iterator()), 1);
}

TEST_F(RecordingRoutesTest, ExportErrorsSayWhatIsWrong) {
  Response empty = Get(Export(start_ + 50, start_ + 60));
  EXPECT_EQ(empty.status, 404);
  EXPECT_NE(empty.body.find("No recordings of front between"), std::string::npos);
  EXPECT_EQ(Get(Export(start_ + 5, start_ + 1)).status, 400);
  Response long_range = Get(Export(start_, start_ + 7 * 3600));
  EXPECT_EQ(long_range.status, 400);
  EXPECT_NE(long_range.body.find("at most 6 hours"), std::string::npos);
  EXPECT_EQ(Get("/api/front/start/abc/end/5/clip.mp4").status, 400);
  EXPECT_EQ(Get("/api/front/start/-5/end/5/clip.mp4").status, 400);
  EXPECT_EQ(Get("/api/nope/start/1/end/5/clip.mp4").status, 404);
}

}  // namespace
}  // namespace corvette::http
