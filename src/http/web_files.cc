#include "http/web_files.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "http/static_files.h"
#include "util/install_paths.h"
#include "util/strings.h"

namespace corvette::http {
namespace {

constexpr std::uintmax_t kMaxTotalBytes = 64u << 20;

constexpr std::string_view kIndex = "index.html";

// Scripts may come only from the page's own folder: text of a camera, event or zone that slipped
// into the markup would not run.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'";

std::string ContentTypeOf(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (util::EndsWithIgnoreCase(name, extension))
      return std::string(type);
  }
  return std::string(ContentTypeForFile(name));
}

std::shared_ptr<const std::string> ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof())
    throw std::runtime_error("cannot read " + path.string());
  return std::make_shared<const std::string>(std::move(bytes).str());
}

// FNV-1a, 64 bits: a validator for the ETag, not a security hash.
std::string EntityTag(std::string_view bytes) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("\"{:016x}-{}\"", hash, bytes.size());
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  for (std::string_view candidate : util::Split(if_none_match, ",")) {
    candidate = util::Trim(candidate);
    if (candidate.starts_with("W/"))
      candidate.remove_prefix(2);
    if (candidate == etag || candidate == "*")
      return true;
  }
  return false;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  for (std::string_view coding : util::Split(accept_encoding, ",")) {
    std::vector<std::string_view> parts = util::Split(coding, ";");
    std::string name = util::ToLower(util::Trim(parts[0]));
    if (name != "gzip" && name != "*")
      continue;
    bool refused = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      std::string_view parameter = util::Trim(parts[i]);
      if (parameter.starts_with("q=") || parameter.starts_with("Q=")) {
        double q = std::strtod(std::string(parameter.substr(2)).c_str(), nullptr);
        refused = q <= 0.0;
      }
    }
    if (!refused)
      return true;
  }
  return false;
}

std::optional<std::filesystem::path> FindWebRoot() {
  return util::FindShippedFolder("CORVETTE_WEB_ROOT", "web", kIndex);
}

std::shared_ptr<const WebFiles> WebFiles::Load(const std::filesystem::path& root) {
  auto files = std::make_shared<WebFiles>();
  std::vector<std::pair<std::string, std::filesystem::path>> names;
  if (!std::filesystem::is_regular_file(root / kIndex))
    throw std::runtime_error("no " + (root / kIndex).string());
  names.emplace_back(std::string(kIndex), root / kIndex);
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(root / "assets", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file())
      continue;
    names.emplace_back(
        "assets/" + std::filesystem::relative(it->path(), root / "assets").generic_string(),
        it->path());
  }
  std::uintmax_t total = 0;
  for (const auto& [name, path] : names) {
    if (name.ends_with(".gz"))
      continue;  // read with the file it encodes
    File file;
    file.content_type = ContentTypeOf(name);
    file.body = ReadWhole(path);
    total += file.body->size();
    std::filesystem::path gzip_path = path;
    gzip_path += ".gz";
    if (std::filesystem::is_regular_file(gzip_path)) {
      file.gzip_body = ReadWhole(gzip_path);
      total += file.gzip_body->size();
    }
    if (total > kMaxTotalBytes)
      throw std::runtime_error(fmt::format("{} holds more than {} MiB: not a built web page",
                                           root.string(), kMaxTotalBytes >> 20));
    file.etag = EntityTag(*file.body);
    files->files_.emplace(name, std::move(file));
  }
  return files;
}

Response WebFiles::Serve(const Request& request, std::string_view name) const {
  auto found = files_.find(name);
  if (found == files_.end())
    return Response::Text(404, "Not Found");
  const File& file = found->second;
  const bool page = name == kIndex;
  if (page) {
    if (const std::string* if_none_match = request.FindHeader("If-None-Match");
        if_none_match && EtagMatches(*if_none_match, file.etag)) {
      Response not_modified = Response::Text(304, "");
      not_modified.SetHeader("ETag", file.etag);
      not_modified.SetHeader("Cache-Control", "no-cache");
      return not_modified;
    }
  }
  const std::string* accept_encoding = request.FindHeader("Accept-Encoding");
  const bool gzip = file.gzip_body && accept_encoding && AcceptsGzip(*accept_encoding);
  Response response = Response::Bytes(file.content_type, gzip ? file.gzip_body : file.body);
  if (file.gzip_body) {
    response.SetHeader("Vary", "Accept-Encoding");
    if (gzip)
      response.SetHeader("Content-Encoding", "gzip");
  }
  response.SetHeader("X-Content-Type-Options", "nosniff");
  if (page) {
    response.SetHeader("Cache-Control", "no-cache");
    response.SetHeader("ETag", file.etag);
    response.SetHeader("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.SetHeader("Referrer-Policy", "same-origin");
  } else {
    response.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
  }
  return response;
}

void WebFiles::AddRoutes(Router& router, std::shared_ptr<const WebFiles> files) {
  if (!files) {
    router.Get("/", [](const Request&) {
      return Response::Text(
          404,
          "This corvette has no web page: its files were not found beside the binary (web/) nor "
          "in ../share/corvette/web. Build it with `make build` (it needs npm), or set "
          "CORVETTE_WEB_ROOT to the folder holding index.html. The API is at /api/.");
    });
    return;
  }
  router.Get("/", [files](const Request& request) { return files->Serve(request, kIndex); });
  router.Get("/index.html",
             [files](const Request& request) { return files->Serve(request, kIndex); });
  router.Get("/assets/<name>", [files](const Request& request) {
    return files->Serve(request, "assets/" + request.Param("name"));
  });
}

}  // namespace corvette::http
