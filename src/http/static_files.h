#pragma once

// Static files (spec §9.3, with §13 item 4 fixed): GET/HEAD `/clips/<file>` from storage.clips and
// `/recordings/<path>` from storage.recordings.
//
// - Content-Type by extension (mp4 video/mp4, jpg image/jpeg, ...), Content-Length, Last-Modified,
//   Accept-Ranges: bytes. One byte range (`Range: bytes=a-b`, `a-`, `-n`) gives 206 with
//   Content-Range; with several ranges the first is served (players seek with single ranges); a
//   range beyond the end gives 416 with `Content-Range: bytes */<size>`. A malformed Range header
//   is ignored (200, whole file), as RFC 9110 allows.
// - Directories: `/recordings/<dir>/` answers the JSON listing nginx's json autoindex gives in 0.8:
//   [{"name", "type": "directory"|"file", "mtime": RFC 1123 date, "size" (files only)}], sorted by
//   name. A directory asked without its trailing slash is redirected (301) to it, as nginx does.
//   `/clips/` lists the same way but never shows the database (0.8's autoindex exposed it).
// - Nothing outside the two folders is served: a path with a `..` or `.` segment (also when
//   percent-encoded), an empty segment, a NUL or a name starting with '.' (corvette's temporaries)
//   is 404; the resolved real path (symlinks followed) must lie inside the folder's real path; the
//   database (`*.db`, `*.db-wal`, `*.db-shm`, `*.db-journal`) is 404 wherever it lies.
//
// Bodies: the open file and the range as Response::file (http/file_body.h): the server sends it in
// chunks, so nothing is read whole into memory. Thread-safe; no state besides the two folder
// paths.

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/response.h"
#include "http/router.h"

namespace corvette::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};

struct RangeRequest {
  enum class Kind {
    kWhole,          // no Range header, or one that is not a byte-range set: send everything
    kRanges,         // satisfiable ranges, in request order (clamped to the file)
    kUnsatisfiable,  // 416
  };
  Kind kind = Kind::kWhole;
  std::vector<ByteRange> ranges;
};

// Parses a Range header value for a representation of `size` bytes (RFC 9110 §14.1.2).
RangeRequest ParseRangeHeader(std::string_view header, std::uint64_t size);

// The Content-Type for a file name by its extension; application/octet-stream when unknown.
std::string_view ContentTypeForFile(std::string_view file_name);

// An RFC 1123 date in GMT, e.g. "Fri, 27 Nov 2026 09:30:05 GMT".
std::string HttpDate(std::time_t time);

// True for database file names that must never be served.
bool IsDatabaseFileName(std::string_view file_name);

class StaticFiles {
 public:
  struct Options {
    std::string clips_dir;       // storage.clips
    std::string recordings_dir;  // storage.recordings
  };
  explicit StaticFiles(Options options);

  // `relative`: the decoded path below the folder ("" for the folder itself, "a/b/", "x.mp4").
  // `request` supplies the Range header and the target for redirects.
  Response ServeClips(const Request& request, std::string_view relative) const;
  Response ServeRecordings(const Request& request, std::string_view relative) const;

  // Adds GET (and so HEAD) routes for /clips/... and /recordings/... (up to 6 levels) to `router`.
  // `files` must outlive the router.
  static void AddRoutes(Router& router, std::shared_ptr<const StaticFiles> files);

 private:
  Response Serve(const Request& request, const std::string& root, std::string_view relative,
                 bool is_clips) const;

  Options options_;
};

}  // namespace corvette::http
