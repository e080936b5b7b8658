#pragma once

// The web page's built files (web/, built by `make build` into <build>/web, installed beside the
// binary): GET/HEAD `/` and `/index.html` (the page) and `/assets/<name>` (its scripts, styles and
// pictures, whose names carry a hash of their content).
//
// - The files are read into memory once, by Load(); only those names are ever served, so no
//   request path reaches the file system.
// - Cache headers: the page is `Cache-Control: no-cache` with an ETag (a request whose
//   If-None-Match names it gets 304), so a new build is seen at once; assets are cached for a year
//   (`public, max-age=31536000, immutable`), which is safe because a changed asset gets a new name.
// - Compression: a file built with a `<name>.gz` beside it is sent gzip-encoded
//   (`Content-Encoding: gzip`, `Vary: Accept-Encoding`) to a client whose Accept-Encoding allows
//   gzip, and as it is to others.
// - The page is sent with a Content-Security-Policy that lets only the page's own scripts run.
//
// Thread-safe: immutable after Load().

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/response.h"
#include "http/router.h"

namespace corvette::http {

// Where the built page is: $CORVETTE_WEB_ROOT when set, else `web` beside the running binary
// (the build folder), else `../share/corvette/web` from the binary's folder (an installed
// corvette). The first of them that holds an index.html; nullopt when none does.
std::optional<std::filesystem::path> FindWebRoot();

class WebFiles {
 public:
  // Reads index.html and every file under `root`/assets. Throws std::runtime_error naming the
  // file when `root` has no index.html or a file cannot be read, or when the files hold more
  // than 64 MiB together (a wrong folder, not a page).
  static std::shared_ptr<const WebFiles> Load(const std::filesystem::path& root);

  // `name`: "index.html" or "assets/<file>". 404 for any other name.
  Response Serve(const Request& request, std::string_view name) const;

  // Adds the GET (and HEAD) routes above. Without `files` (no built page), `/` answers 404 with
  // a message saying that this installation has no web page and how to build it.
  static void AddRoutes(Router& router, std::shared_ptr<const WebFiles> files);

  std::size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::shared_ptr<const std::string> body;
    std::shared_ptr<const std::string> gzip_body;  // null when not built compressed
    std::string etag;
  };
  std::map<std::string, File, std::less<>> files_;
};

// True when an Accept-Encoding header value accepts gzip (a `gzip` or `*` coding whose q is not
// 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace corvette::http
