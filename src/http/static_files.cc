#include "http/static_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "http/file_body.h"
#include "util/strings.h"

namespace corvette::http {
namespace {

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || text.size() > 19)
    return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::optional<std::string> RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr)
    return std::nullopt;
  return std::string(resolved);
}

Response NotFound() {
  return Response::Text(404, "Not Found");
}

// Splits a relative request path into its segments; nullopt when one of them is not allowed.
// `directory` is set when the path ends with '/' (or is empty: the folder itself).
std::optional<std::vector<std::string>> SafeSegments(std::string_view relative, bool& directory) {
  std::vector<std::string> segments;
  directory = relative.empty() || relative.back() == '/';
  if (directory && !relative.empty())
    relative.remove_suffix(1);
  if (relative.empty())
    return segments;
  while (true) {
    size_t slash = relative.find('/');
    std::string_view segment = relative.substr(0, slash);
    if (segment.empty() || segment.front() == '.' || segment.find('\0') != std::string_view::npos ||
        segment.find('\\') != std::string_view::npos)
      return std::nullopt;
    segments.emplace_back(segment);
    if (slash == std::string_view::npos)
      break;
    relative.remove_prefix(slash + 1);
  }
  return segments;
}

Response Listing(const std::string& dir, bool hide_database) {
  nlohmann::json entries = nlohmann::json::array();
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr)
    return NotFound();
  std::vector<std::pair<std::string, nlohmann::json>> sorted;
  while (dirent* entry = ::readdir(handle)) {
    std::string name = entry->d_name;
    if (name.empty() || name.front() == '.' || (hide_database && IsDatabaseFileName(name)))
      continue;
    struct stat st {};
    if (::fstatat(::dirfd(handle), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue;
    nlohmann::json item;
    item["name"] = name;
    item["mtime"] = HttpDate(st.st_mtime);
    if (S_ISDIR(st.st_mode)) {
      item["type"] = "directory";
    } else if (S_ISREG(st.st_mode)) {
      item["type"] = "file";
      item["size"] = static_cast<std::uint64_t>(st.st_size);
    } else {
      continue;  // symlinks and others are not listed
    }
    sorted.emplace_back(std::move(name), std::move(item));
  }
  ::closedir(handle);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, item] : sorted)
    entries.push_back(std::move(item));
  return Response::Json(entries);
}

}  // namespace

RangeRequest ParseRangeHeader(std::string_view header, std::uint64_t size) {
  RangeRequest whole;
  header = util::Trim(header);
  size_t equals = header.find('=');
  if (equals == std::string_view::npos)
    return whole;
  std::string_view unit = util::Trim(header.substr(0, equals));
  if (!util::EqualsIgnoreCase(unit, "bytes"))
    return whole;
  RangeRequest result;
  bool any = false;
  std::string_view specs = header.substr(equals + 1);
  while (true) {
    size_t comma = specs.find(',');
    std::string_view spec = util::Trim(specs.substr(0, comma));
    if (!spec.empty()) {
      any = true;
      size_t dash = spec.find('-');
      if (dash == std::string_view::npos)
        return whole;
      std::string_view first_text = util::Trim(spec.substr(0, dash));
      std::string_view last_text = util::Trim(spec.substr(dash + 1));
      if (first_text.empty()) {  // suffix: the last n bytes
        std::optional<std::uint64_t> n = ParseUnsigned(last_text);
        if (!n)
          return whole;
        if (*n > 0 && size > 0)
          result.ranges.push_back({size - std::min(*n, size), size - 1});
      } else {
        std::optional<std::uint64_t> first = ParseUnsigned(first_text);
        std::optional<std::uint64_t> last;
        if (!last_text.empty()) {
          last = ParseUnsigned(last_text);
          if (!last || *last < *first)
            return whole;
        }
        if (!first)
          return whole;
        if (*first < size)
          result.ranges.push_back({*first, std::min(last.value_or(size - 1), size - 1)});
      }
    }
    if (comma == std::string_view::npos)
      break;
    specs.remove_prefix(comma + 1);
  }
  if (!any)
    return whole;
  result.kind =
      result.ranges.empty() ? RangeRequest::Kind::kUnsatisfiable : RangeRequest::Kind::kRanges;
  return result;
}

std::string_view ContentTypeForFile(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".mp4", "video/mp4"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".webp", "image/webp"},
      {".json", "application/json"},
      {".m3u8", "application/vnd.apple.mpegurl"},
      {".ts", "video/mp2t"},
      {".mkv", "video/x-matroska"},
      {".webm", "video/webm"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (util::EndsWithIgnoreCase(name, extension))
      return type;
  }
  return "application/octet-stream";
}

std::string HttpDate(std::time_t time) {
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

bool IsDatabaseFileName(std::string_view name) {
  for (std::string_view suffix : {".db", ".db-wal", ".db-shm", ".db-journal"}) {
    if (util::EndsWithIgnoreCase(name, suffix))
      return true;
  }
  return false;
}

StaticFiles::StaticFiles(Options options) : options_(std::move(options)) {}

Response StaticFiles::ServeClips(const Request& request, std::string_view relative) const {
  return Serve(request, options_.clips_dir, relative, /*is_clips=*/true);
}

Response StaticFiles::ServeRecordings(const Request& request, std::string_view relative) const {
  return Serve(request, options_.recordings_dir, relative, /*is_clips=*/false);
}

Response StaticFiles::Serve(const Request& request, const std::string& root,
                            std::string_view relative, bool is_clips) const {
  bool directory = false;
  std::optional<std::vector<std::string>> segments = SafeSegments(relative, directory);
  if (!segments || root.empty())
    return NotFound();
  if (!segments->empty() && IsDatabaseFileName(segments->back()))
    return NotFound();
  std::optional<std::string> real_root = RealPath(root);
  if (!real_root)
    return NotFound();
  std::string path = *real_root;
  for (const std::string& segment : *segments)
    path += "/" + segment;
  std::optional<std::string> real = RealPath(path);
  if (!real || (*real != *real_root && !real->starts_with(*real_root + "/")))
    return NotFound();
  std::string_view base = std::string_view(*real).substr(real->rfind('/') + 1);
  if (*real != *real_root && (IsDatabaseFileName(base) || base.front() == '.'))
    return NotFound();

  struct stat st {};
  if (::stat(real->c_str(), &st) != 0)
    return NotFound();
  if (S_ISDIR(st.st_mode)) {
    if (!directory) {
      // As nginx: a folder asked without its slash is redirected to it.
      std::string_view target = request.target;
      size_t query = target.find('?');
      Response redirect = Response::Text(301, "Moved Permanently");
      redirect.SetHeader("Location",
                         std::string(target.substr(0, query)) + "/" +
                             std::string(query == std::string_view::npos ? std::string_view()
                                                                         : target.substr(query)));
      return redirect;
    }
    return Listing(*real, /*hide_database=*/true);
  }
  if (directory || !S_ISREG(st.st_mode))
    return NotFound();
  (void)is_clips;

  int fd = ::open(real->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NotFound();
  struct FdCloser {
    int fd;
    ~FdCloser() {
      if (fd >= 0)
        ::close(fd);
    }
  } closer{fd};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return NotFound();
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);

  Response response;
  response.content_type = std::string(ContentTypeForFile(base));
  response.SetHeader("Accept-Ranges", "bytes");
  response.SetHeader("Last-Modified", HttpDate(st.st_mtime));
  RangeRequest range;
  if (const std::string* header = request.FindHeader("Range"))
    range = ParseRangeHeader(*header, size);
  std::uint64_t offset = 0, length = size;
  switch (range.kind) {
    case RangeRequest::Kind::kUnsatisfiable: {
      Response error = Response::Text(416, "Range Not Satisfiable");
      error.SetHeader("Content-Range", fmt::format("bytes */{}", size));
      return error;
    }
    case RangeRequest::Kind::kRanges: {
      const ByteRange& first = range.ranges.front();
      offset = first.first;
      length = first.length();
      response.status = 206;
      response.SetHeader("Content-Range",
                         fmt::format("bytes {}-{}/{}", first.first, first.last, size));
      break;
    }
    case RangeRequest::Kind::kWhole:
      break;
  }
  response.file = std::make_shared<const FileBody>(fd, offset, length);
  closer.fd = -1;  // the body owns it now
  return response;
}

void StaticFiles::AddRoutes(Router& router, std::shared_ptr<const StaticFiles> files) {
  // The handlers take the decoded request path and cut the prefix; the segment checks happen on
  // that decoded path, so encoded dots and slashes are caught too.
  auto relative_of = [](const Request& request, std::string_view prefix) -> std::string_view {
    std::string_view path = request.path;
    return path.size() >= prefix.size() ? path.substr(prefix.size()) : std::string_view();
  };
  auto redirect_to_slash = [](const Request& request) {
    Response redirect = Response::Text(301, "Moved Permanently");
    redirect.SetHeader("Location", request.path + "/");
    return redirect;
  };
  // As /api/ (and 0.8's nginx): pages of any origin may fetch and seek clips and recordings.
  router.AllowCrossOrigin("/clips/");
  router.AllowCrossOrigin("/recordings/");
  router.Get("/clips", redirect_to_slash);
  router.Get("/recordings", redirect_to_slash);
  Handler clips = [files, relative_of](const Request& request) {
    return files->ServeClips(request, relative_of(request, "/clips/"));
  };
  Handler recordings = [files, relative_of](const Request& request) {
    return files->ServeRecordings(request, relative_of(request, "/recordings/"));
  };
  router.Get("/clips/", clips);
  router.Get("/clips/<file>", clips);
  std::string pattern = "/recordings";
  for (int depth = 0; depth <= 6; ++depth) {
    router.Get(pattern + "/", recordings);
    if (depth > 0)
      router.Get(pattern, recordings);
    pattern += fmt::format("/<p{}>", depth + 1);
  }
}

}  // namespace corvette::http
