#include "http/web_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "../support/temp_dir.h"

namespace corvette::http {
namespace {
namespace fs = std::filesystem;

using Headers = std::vector<std::pair<std::string, std::string>>;

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class WebFilesTest : public ::testing::Test {
 protected:
  WebFilesTest() {
    Write(root() / "index.html", "<!doctype html><title>corvette</title>");
    Write(root() / "index.html.gz", "GZIP-OF-INDEX");
    Write(root() / "assets/app-1234abcd.js", "console.log(1)");
    Write(root() / "assets/app-1234abcd.js.gz", "GZIP-OF-JS");
    Write(root() / "assets/app-9876.css", "body{}");
    Write(root() / "secret.txt", "not part of the page");
  }
  fs::path root() const { return dir_.path(); }
  Response Get(std::shared_ptr<const WebFiles> files, std::string_view target,
               Headers headers = {}) {
    Router router;
    WebFiles::AddRoutes(router, std::move(files));
    return router.Handle("GET", target, std::move(headers));
  }
  corvette::testing::TempDir dir_{"web-files"};
};

TEST_F(WebFilesTest, ThePageIsNeverCachedStaleAndAnUnchangedOneIs304) {
  auto files = WebFiles::Load(root());
  EXPECT_EQ(files->file_count(), 3u);
  Response page = Get(files, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.BodyView(), "<!doctype html><title>corvette</title>");
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(*page.FindHeader("Cache-Control"), "no-cache");
  ASSERT_NE(page.FindHeader("Content-Security-Policy"), nullptr);
  EXPECT_NE(page.FindHeader("Content-Security-Policy")->find("script-src 'self'"),
            std::string::npos);
  const std::string etag = *page.FindHeader("ETag");
  EXPECT_EQ(Get(files, "/index.html").BodyView(), page.BodyView());

  Response again = Get(files, "/", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(*again.FindHeader("ETag"), etag);
  EXPECT_EQ(Get(files, "/", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(Get(files, "/", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
}

TEST_F(WebFilesTest, AssetsAreCachedLongAndSentCompressedToWhoAcceptsIt) {
  auto files = WebFiles::Load(root());
  Response plain = Get(files, "/assets/app-1234abcd.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.BodyView(), "console.log(1)");
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(*plain.FindHeader("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(*plain.FindHeader("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.FindHeader("Content-Encoding"), nullptr);

  Response gzip = Get(files, "/assets/app-1234abcd.js", {{"Accept-Encoding", "br, gzip, deflate"}});
  EXPECT_EQ(gzip.BodyView(), "GZIP-OF-JS");
  EXPECT_EQ(*gzip.FindHeader("Content-Encoding"), "gzip");
  EXPECT_EQ(Get(files, "/", {{"Accept-Encoding", "gzip"}}).BodyView(), "GZIP-OF-INDEX");
  // Not built compressed: sent as it is, without Vary.
  Response css = Get(files, "/assets/app-9876.css", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(css.BodyView(), "body{}");
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(css.FindHeader("Content-Encoding"), nullptr);
}

TEST_F(WebFilesTest, OnlyThePagesFilesAreServed) {
  auto files = WebFiles::Load(root());
  for (const char* target :
       {"/secret.txt", "/assets/missing.js", "/assets/..%2Fsecret.txt",
        "/assets/app-1234abcd.js.gz", "/assets/%2E%2E%2Findex.html", "/index.html.gz"}) {
    EXPECT_EQ(Get(files, target).status, 404) << target;
  }
}

TEST_F(WebFilesTest, AFolderWithoutAPageIsAnErrorAndNoPageIsAClear404) {
  corvette::testing::TempDir empty("web-files-empty");
  EXPECT_THROW(WebFiles::Load(empty.path()), std::runtime_error);
  Response none = Get(nullptr, "/");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(std::string(none.BodyView()).find("make build"), std::string::npos);
}

TEST_F(WebFilesTest, FindWebRootTakesTheEnvironmentFirst) {
  ::setenv("CORVETTE_WEB_ROOT", root().c_str(), 1);
  EXPECT_EQ(FindWebRoot(), root());
  ::setenv("CORVETTE_WEB_ROOT", (root() / "assets").c_str(), 1);  // no index.html there
  EXPECT_NE(FindWebRoot(), std::optional<fs::path>(root() / "assets"));
  ::unsetenv("CORVETTE_WEB_ROOT");
}

TEST(AcceptsGzipTest, ReadsCodingsAndQualities) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("x-gzip2"));
}

}  // namespace
}  // namespace corvette::http
