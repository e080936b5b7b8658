#include "storage/segment_files.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace corvette::storage {
namespace {

bool ParseDigits(std::string_view text, int& out) {
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

std::tm ToTm(const LocalTime& local, int isdst) {
  std::tm tm{};
  tm.tm_year = local.year - 1900;
  tm.tm_mon = local.month - 1;
  tm.tm_mday = local.day;
  tm.tm_hour = local.hour;
  tm.tm_min = local.minute;
  tm.tm_sec = local.second;
  tm.tm_isdst = isdst;
  return tm;
}

bool SameWallClock(const std::tm& a, const LocalTime& b) {
  return a.tm_year == b.year - 1900 && a.tm_mon == b.month - 1 && a.tm_mday == b.day &&
         a.tm_hour == b.hour && a.tm_min == b.minute && a.tm_sec == b.second;
}

}  // namespace

std::optional<SegmentName> ParseSegmentName(std::string_view file_name) {
  constexpr std::string_view kExtension = ".mp4";
  constexpr size_t kStampLength = 14;  // YYYYmmddHHMMSS
  if (file_name.empty() || file_name.front() == '.')
    return std::nullopt;
  if (file_name.size() < kExtension.size() + kStampLength + 2 ||
      file_name.substr(file_name.size() - kExtension.size()) != kExtension)
    return std::nullopt;
  std::string_view stem = file_name.substr(0, file_name.size() - kExtension.size());
  size_t dash = stem.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || stem.size() - dash - 1 != kStampLength)
    return std::nullopt;
  std::string_view stamp = stem.substr(dash + 1);
  SegmentName name;
  name.camera = std::string(stem.substr(0, dash));
  LocalTime& t = name.local;
  if (!ParseDigits(stamp.substr(0, 4), t.year) || !ParseDigits(stamp.substr(4, 2), t.month) ||
      !ParseDigits(stamp.substr(6, 2), t.day) || !ParseDigits(stamp.substr(8, 2), t.hour) ||
      !ParseDigits(stamp.substr(10, 2), t.minute) || !ParseDigits(stamp.substr(12, 2), t.second))
    return std::nullopt;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
      t.second > 60)
    return std::nullopt;
  return name;
}

double LocalTimeToEpoch(const LocalTime& local, std::optional<double> hint) {
  // Try both DST states; a candidate is real when it maps back to the same wall-clock time.
  std::optional<std::time_t> candidates[2];
  for (int isdst = 0; isdst < 2; ++isdst) {
    std::tm tm = ToTm(local, isdst);
    std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1))
      continue;
    std::tm back{};
    if (localtime_r(&t, &back) != nullptr && SameWallClock(back, local))
      candidates[isdst] = t;
  }
  if (candidates[0] && candidates[1] && *candidates[0] != *candidates[1]) {
    std::time_t earlier = std::min(*candidates[0], *candidates[1]);
    std::time_t later = std::max(*candidates[0], *candidates[1]);
    if (!hint)
      return static_cast<double>(earlier);
    return std::fabs(*hint - static_cast<double>(earlier)) <=
                   std::fabs(*hint - static_cast<double>(later))
               ? static_cast<double>(earlier)
               : static_cast<double>(later);
  }
  if (candidates[0])
    return static_cast<double>(*candidates[0]);
  if (candidates[1])
    return static_cast<double>(*candidates[1]);
  std::tm tm = ToTm(local, -1);
  return static_cast<double>(std::mktime(&tm));
}

LocalTime EpochToLocalTime(double epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm tm{};
  localtime_r(&t, &tm);
  return LocalTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

std::vector<SegmentFile> ListSegmentFiles(const std::string& dir, double now,
                                          double stale_seconds) {
  std::vector<SegmentFile> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    std::optional<SegmentName> parsed = ParseSegmentName(name);
    if (!parsed || !entry.is_regular_file(ec))
      continue;
    std::optional<double> mtime = FileMtime(entry.path().string());
    if (!mtime)
      continue;
    SegmentFile file;
    file.path = entry.path().string();
    file.camera = std::move(parsed->camera);
    file.start = LocalTimeToEpoch(parsed->local, *mtime);
    file.mtime = *mtime;
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.camera != b.camera ? a.camera < b.camera : a.start < b.start;
  });
  for (size_t i = 0; i < files.size(); ++i) {
    bool newest = i + 1 == files.size() || files[i + 1].camera != files[i].camera;
    files[i].finished = !newest || now - files[i].mtime > stale_seconds;
  }
  return files;
}

std::optional<double> FileMtime(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt;
  return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
}

std::optional<DiskSpace> DiskSpaceOf(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0)
    return std::nullopt;
  DiskSpace space;
  space.total_bytes = static_cast<unsigned long long>(vfs.f_blocks) * vfs.f_frsize;
  space.free_bytes = static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize;
  return space;
}

}  // namespace corvette::storage
