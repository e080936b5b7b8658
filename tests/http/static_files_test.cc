#include "http/static_files.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "../storage/test_dir.h"
#include "http/file_body.h"
#include "http/server.h"

namespace corvette::http {
namespace {
namespace fs = std::filesystem;

// The bytes a response would send: its file range, or its body.
std::string BodyOf(const Response& response) {
  if (!response.file)
    return std::string(response.BodyView());
  std::string bytes(response.file->length(), '\0');
  EXPECT_EQ(::pread(response.file->fd(), bytes.data(), bytes.size(),
                    static_cast<off_t>(response.file->offset())),
            static_cast<ssize_t>(bytes.size()));
  return bytes;
}
using Kind = RangeRequest::Kind;

TEST(RangeHeaderTest, ParsesSingleSuffixOpenAndMultipleRanges) {
  auto r = ParseRangeHeader("bytes=0-99", 1000);
  ASSERT_EQ(r.kind, Kind::kRanges);
  EXPECT_EQ(r.ranges, (std::vector<ByteRange>{{0, 99}}));
  EXPECT_EQ(ParseRangeHeader("bytes=900-", 1000).ranges, (std::vector<ByteRange>{{900, 999}}));
  EXPECT_EQ(ParseRangeHeader("bytes=-100", 1000).ranges, (std::vector<ByteRange>{{900, 999}}));
  EXPECT_EQ(ParseRangeHeader("bytes=-5000", 1000).ranges, (std::vector<ByteRange>{{0, 999}}));
  EXPECT_EQ(ParseRangeHeader("bytes=500-5000", 1000).ranges, (std::vector<ByteRange>{{500, 999}}));
  EXPECT_EQ(ParseRangeHeader(" Bytes = 0-0, 10-19 ,-1", 1000).ranges,
            (std::vector<ByteRange>{{0, 0}, {10, 19}, {999, 999}}));
  // Satisfiable ones are kept when others are not.
  EXPECT_EQ(ParseRangeHeader("bytes=2000-3000,0-1", 1000).ranges, (std::vector<ByteRange>{{0, 1}}));
}

TEST(RangeHeaderTest, UnsatisfiableAndMalformed) {
  EXPECT_EQ(ParseRangeHeader("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRangeHeader("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRangeHeader("bytes=0-10", 0).kind, Kind::kUnsatisfiable);
  for (const char* bad : {"", "bytes", "bytes=", "items=0-1", "bytes=a-b", "bytes=5-1", "bytes=1",
                          "bytes=--1", "bytes=99999999999999999999-"}) {
    EXPECT_EQ(ParseRangeHeader(bad, 1000).kind, Kind::kWhole) << bad;
  }
}

TEST(StaticFilesNamesTest, TypesDatesAndDatabaseNames) {
  EXPECT_EQ(ContentTypeForFile("a-1.mp4"), "video/mp4");
  EXPECT_EQ(ContentTypeForFile("a-1.JPG"), "image/jpeg");
  EXPECT_EQ(ContentTypeForFile("x.bin"), "application/octet-stream");
  EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(1'790'000'000), "Mon, 21 Sep 2026 14:13:20 GMT");
  EXPECT_TRUE(IsDatabaseFileName("frigate.db"));
  EXPECT_TRUE(IsDatabaseFileName("frigate.db-wal"));
  EXPECT_TRUE(IsDatabaseFileName("FRIGATE.DB-SHM"));
  EXPECT_FALSE(IsDatabaseFileName("front-1.mp4"));
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clips_ = dir_.File("media/clips");
    recordings_ = dir_.File("media/recordings");
    fs::create_directories(clips_);
    fs::create_directories(recordings_ + "/2026-11/27/09/front");
    // A 300 000-byte "clip" of pseudo-random bytes.
    std::mt19937 random(42);
    content_.resize(300'000);
    for (char& c : content_)
      c = static_cast<char>(random());
    std::ofstream(clips_ + "/front-1.0-abc.mp4", std::ios::binary) << content_;
    std::ofstream(clips_ + "/front-1.0-abc.jpg") << "jpeg";
    std::ofstream(clips_ + "/frigate.db") << "secret rows";
    std::ofstream(clips_ + "/frigate.db-wal") << "secret wal";
    std::ofstream(clips_ + "/.front-2.mp4.assembling") << "partial";
    std::ofstream(recordings_ + "/2026-11/27/09/front/30.05.mp4") << "recording";
    std::ofstream(dir_.File("media/secret.txt")) << "outside";
    fs::create_symlink(dir_.File("media/secret.txt"), clips_ + "/link-out.mp4");
    fs::create_symlink(dir_.File("media"), recordings_ + "/2026-11/escape");
    fs::create_symlink(clips_ + "/front-1.0-abc.jpg", clips_ + "/link-in.jpg");
    StaticFiles::AddRoutes(
        router_, std::make_shared<StaticFiles>(StaticFiles::Options{clips_, recordings_}));
  }
  Response Get(std::string_view target,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    return router_.Handle("GET", target, std::move(headers));
  }

  storage::testing::TestDir dir_;
  std::string clips_, recordings_, content_;
  Router router_;
};

TEST_F(StaticFilesTest, ClipsAndRecordingsAnswerCrossOriginAsTheApiDoes) {
  for (const char* target : {"/clips/front-1.0-abc.mp4", "/clips/", "/recordings/",
                             "/recordings/2026-11/27/09/front/30.05.mp4", "/clips/missing.mp4"}) {
    Response get = Get(target, {{"Origin", "http://ha.local"}});
    ASSERT_NE(get.FindHeader("Access-Control-Allow-Origin"), nullptr) << target;
    EXPECT_EQ(*get.FindHeader("Access-Control-Allow-Origin"), "*");
    Response preflight = router_.Handle("OPTIONS", target,
                                        {{"Origin", "http://ha.local"},
                                         {"Access-Control-Request-Method", "GET"},
                                         {"Access-Control-Request-Headers", "range"}});
    EXPECT_EQ(preflight.status, 204) << target;
    EXPECT_EQ(*preflight.FindHeader("Access-Control-Allow-Origin"), "*");
    EXPECT_NE(preflight.FindHeader("Access-Control-Allow-Headers")->find("Range"),
              std::string::npos);
  }
  // A range answer exposes what a player reads to seek.
  Response range = Get("/clips/front-1.0-abc.mp4", {{"Range", "bytes=0-9"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_NE(range.FindHeader("Access-Control-Expose-Headers")->find("Content-Range"),
            std::string::npos);
}

TEST_F(StaticFilesTest, WholeFileWithTypeAndLength) {
  Response r = Get("/clips/front-1.0-abc.mp4");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "video/mp4");
  EXPECT_EQ(BodyOf(r), content_);
  ASSERT_TRUE(r.FindHeader("Accept-Ranges"));
  EXPECT_EQ(*r.FindHeader("Accept-Ranges"), "bytes");
  EXPECT_TRUE(r.FindHeader("Last-Modified"));
  EXPECT_EQ(Get("/clips/front-1.0-abc.jpg").content_type, "image/jpeg");
  EXPECT_EQ(BodyOf(Get("/recordings/2026-11/27/09/front/30.05.mp4")), "recording");
}

TEST_F(StaticFilesTest, RangesReturnExactlyTheRequestedBytes) {
  std::mt19937 random(7);
  for (int i = 0; i < 50; ++i) {
    std::uint64_t first = random() % content_.size();
    std::uint64_t last = first + random() % (content_.size() - first);
    Response r =
        Get("/clips/front-1.0-abc.mp4", {{"Range", fmt::format("bytes={}-{}", first, last)}});
    ASSERT_EQ(r.status, 206);
    EXPECT_EQ(BodyOf(r), std::string_view(content_).substr(first, last - first + 1));
    ASSERT_TRUE(r.FindHeader("Content-Range"));
    EXPECT_EQ(*r.FindHeader("Content-Range"),
              fmt::format("bytes {}-{}/{}", first, last, content_.size()));
  }
  Response tail = Get("/clips/front-1.0-abc.mp4", {{"range", "bytes=-10"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(BodyOf(tail), content_.substr(content_.size() - 10));
  // Several ranges: the first is served.
  Response several = Get("/clips/front-1.0-abc.mp4", {{"Range", "bytes=10-19,100-199"}});
  EXPECT_EQ(several.status, 206);
  EXPECT_EQ(BodyOf(several), content_.substr(10, 10));
  Response beyond = Get("/clips/front-1.0-abc.mp4", {{"Range", "bytes=300000-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(*beyond.FindHeader("Content-Range"), "bytes */300000");
  Response malformed = Get("/clips/front-1.0-abc.mp4", {{"Range", "bytes=x"}});
  EXPECT_EQ(malformed.status, 200);
  EXPECT_EQ(BodyOf(malformed).size(), content_.size());
}

TEST_F(StaticFilesTest, TraversalAndDatabaseAttemptsAre404) {
  for (const char* target : {
           "/clips/frigate.db",
           "/clips/frigate.db-wal",
           "/clips/FRIGATE.DB",
           "/clips/../media/secret.txt",
           "/clips/%2e%2e/secret.txt",
           "/clips/%2E%2E%2Fsecret.txt",
           "/clips/..%2fsecret.txt",
           "/clips/.%2e/secret.txt",
           "/recordings/../clips/frigate.db",
           "/recordings/%2e%2e/clips/frigate.db",
           "/recordings/2026-11/%2e%2e/%2e%2e/clips/frigate.db",
           "/recordings/2026-11/escape/secret.txt",
           "/recordings/2026-11/escape/",
           "/recordings/2026-11/escape/clips/frigate.db",
           "/clips/link-out.mp4",
           "/clips/.front-2.mp4.assembling",
           "/clips/%2fetc%2fpasswd",
           "/recordings//etc/passwd",
           "/recordings/2026-11//27/",
           "/clips/front-1.0-abc.mp4/",
           "/clips/missing.mp4",
           "/recordings/%00",
       }) {
    Response r = Get(target);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << target << " -> " << r.status;
    EXPECT_EQ(BodyOf(r).find("secret"), std::string_view::npos) << target;
  }
  // A symlink that stays inside the folder is fine.
  EXPECT_EQ(Get("/clips/link-in.jpg").status, 200);
}

TEST_F(StaticFilesTest, JsonListingsWithTrailingSlashAndRedirectWithout) {
  Response root = Get("/recordings/");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.content_type, "application/json");
  auto listing = nlohmann::json::parse(BodyOf(root));
  ASSERT_EQ(listing.size(), 1u);
  EXPECT_EQ(listing[0]["name"], "2026-11");
  EXPECT_EQ(listing[0]["type"], "directory");
  EXPECT_FALSE(listing[0].contains("size"));
  EXPECT_NE(listing[0]["mtime"].get<std::string>().find(" GMT"), std::string::npos);

  auto hour = nlohmann::json::parse(Get("/recordings/2026-11/27/09/front/").BodyView());
  ASSERT_EQ(hour.size(), 1u);
  EXPECT_EQ(hour[0]["name"], "30.05.mp4");
  EXPECT_EQ(hour[0]["type"], "file");
  EXPECT_EQ(hour[0]["size"], 9);
  for (const char* dir :
       {"/recordings/2026-11/", "/recordings/2026-11/27/", "/recordings/2026-11/27/09/"}) {
    EXPECT_EQ(Get(dir).status, 200) << dir;
  }
  // The symlink leading out is not listed.
  auto month = nlohmann::json::parse(Get("/recordings/2026-11/").BodyView());
  EXPECT_EQ(month.size(), 1u);

  Response redirect = Get("/recordings/2026-11/27?x=1");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(*redirect.FindHeader("Location"), "/recordings/2026-11/27/?x=1");
  EXPECT_EQ(Get("/recordings").status, 301);

  // /clips/ lists clips and snapshots but neither the database nor temporaries.
  Response clips = Get("/clips/");
  ASSERT_EQ(clips.status, 200);
  std::string body(BodyOf(clips));
  EXPECT_NE(body.find("front-1.0-abc.mp4"), std::string::npos);
  EXPECT_EQ(body.find("frigate.db"), std::string::npos);
  EXPECT_EQ(body.find("assembling"), std::string::npos);
}

TEST_F(StaticFilesTest, ServerSendsRangesAndWholeFilesOverHttp) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  HttpServer server(options, router_);
  ASSERT_FALSE(server.Start());
  std::string out = dir_.File("out.bin");
  auto curl = [&](const std::string& args) {
    std::string command = fmt::format(
        "curl -s -o '{}' -w '%{{http_code}} %{{size_download}}' {} "
        "http://127.0.0.1:{}/clips/front-1.0-abc.mp4",
        out, args, server.port());
    FILE* pipe = ::popen(command.c_str(), "r");
    char line[128] = {};
    std::fgets(line, sizeof line, pipe);
    ::pclose(pipe);
    std::ifstream in(out, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return std::make_pair(std::string(line), bytes);
  };
  auto [status, bytes] = curl("");
  EXPECT_EQ(status, "200 300000");
  EXPECT_EQ(bytes, content_);
  auto [range_status, range] = curl("-r 70000-209999");
  EXPECT_EQ(range_status, "206 140000");
  EXPECT_EQ(range, content_.substr(70000, 140000));
  auto [head_status, head] = curl("-I");
  EXPECT_EQ(head_status.substr(0, 3), "200");
  EXPECT_NE(head.find("Content-Length: 300000"), std::string::npos) << head;
  server.Stop();
}

}  // namespace
}  // namespace corvette::http
