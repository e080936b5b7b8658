#include "storage/media_layout.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace corvette::storage {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kClipExtension = ".mp4";
constexpr std::string_view kSnapshotExtension = ".jpg";
constexpr std::string_view kClipAssemblySuffix = ".mp4.assembling";
constexpr std::string_view kClipPlaylistSuffix = ".concat";
constexpr std::string_view kWriteTemporaryMarker = ".tmp-";
constexpr std::string_view kRecordingExtension = ".mp4";
constexpr std::string_view kExportsFolder = ".exports";
constexpr std::string_view kExportExtension = ".mp4";

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// Exactly `digits` decimal digits.
bool ParseNumber(std::string_view text, size_t digits, int& out) {
  if (text.size() != digits || !AllDigits(text))
    return false;
  int value = 0;
  for (char c : text)
    value = value * 10 + (c - '0');
  out = value;
  return true;
}

std::string EventFilePath(const std::string& clips_dir, const std::string& camera,
                          const std::string& id, std::string_view extension) {
  return (fs::path(clips_dir) / fmt::format("{}-{}{}", camera, id, extension)).string();
}

std::string ClipTemporaryPath(const std::string& clips_dir, const std::string& camera,
                              const std::string& id, std::string_view suffix) {
  return (fs::path(clips_dir) / fmt::format(".{}-{}{}", camera, id, suffix)).string();
}

}  // namespace

std::string EventClipPath(const std::string& clips_dir, const std::string& camera,
                          const std::string& id) {
  return EventFilePath(clips_dir, camera, id, kClipExtension);
}

std::string EventSnapshotPath(const std::string& clips_dir, const std::string& camera,
                              const std::string& id) {
  return EventFilePath(clips_dir, camera, id, kSnapshotExtension);
}

std::optional<EventFileName> ParseEventFileName(std::string_view file_name) {
  EventFileName out;
  if (file_name.ends_with(kClipExtension))
    out.clip = true;
  else if (!file_name.ends_with(kSnapshotExtension))
    return std::nullopt;
  if (file_name.starts_with("."))
    return std::nullopt;
  std::string_view stem = file_name.substr(0, file_name.size() - 4);
  const std::size_t suffix_dash = stem.rfind('-');
  if (suffix_dash == std::string_view::npos || suffix_dash == 0)
    return std::nullopt;
  const std::size_t start_dash = stem.rfind('-', suffix_dash - 1);
  if (start_dash == std::string_view::npos || start_dash == 0)
    return std::nullopt;
  std::string_view start = stem.substr(start_dash + 1, suffix_dash - start_dash - 1);
  std::string_view suffix = stem.substr(suffix_dash + 1);
  const std::size_t dot = start.find('.');
  if (suffix.empty() || suffix.find('.') != std::string_view::npos ||
      !AllDigits(start.substr(0, dot)) ||
      (dot != std::string_view::npos && !AllDigits(start.substr(dot + 1))))
    return std::nullopt;
  out.id = std::string(stem.substr(start_dash + 1));
  out.start = std::strtod(std::string(start).c_str(), nullptr);
  return out;
}

std::string ClipAssemblyPath(const std::string& clips_dir, const std::string& camera,
                             const std::string& id) {
  return ClipTemporaryPath(clips_dir, camera, id, kClipAssemblySuffix);
}

std::string ClipPlaylistPath(const std::string& clips_dir, const std::string& camera,
                             const std::string& id) {
  return ClipTemporaryPath(clips_dir, camera, id, kClipPlaylistSuffix);
}

bool IsClipTemporaryName(std::string_view file_name) {
  return !file_name.empty() && file_name.front() == '.' &&
         (file_name.ends_with(kClipAssemblySuffix) || file_name.ends_with(kClipPlaylistSuffix));
}

std::string WriteTemporaryPath(const std::string& path, unsigned serial) {
  return fmt::format("{}{}{}-{}", path, kWriteTemporaryMarker, ::getpid(), serial);
}

bool IsWriteTemporaryName(std::string_view file_name) {
  return file_name.find(kWriteTemporaryMarker) != std::string_view::npos;
}

bool IsMediaTemporaryName(std::string_view file_name) {
  return IsClipTemporaryName(file_name) || IsWriteTemporaryName(file_name);
}

std::string RecordingPath(const std::string& recordings_dir, const std::string& camera,
                          const LocalTime& t) {
  return (fs::path(recordings_dir) / fmt::format("{:04}-{:02}", t.year, t.month) /
          fmt::format("{:02}", t.day) / fmt::format("{:02}", t.hour) / camera /
          fmt::format("{:02}.{:02}{}", t.minute, t.second, kRecordingExtension))
      .string();
}

bool ParseRecordingMonthFolder(std::string_view name, LocalTime& time) {
  int year = 0, month = 0;
  if (name.size() != 7 || name[4] != '-' || !ParseNumber(name.substr(0, 4), 4, year) ||
      !ParseNumber(name.substr(5, 2), 2, month))
    return false;
  time.year = year;
  time.month = month;
  return true;
}

bool ParseRecordingDayFolder(std::string_view name, LocalTime& time) {
  return ParseNumber(name, 2, time.day);
}

bool ParseRecordingHourFolder(std::string_view name, LocalTime& time) {
  return ParseNumber(name, 2, time.hour);
}

bool ParseRecordingFileName(std::string_view name, LocalTime& time) {
  if (name.size() < 9 || !name.ends_with(kRecordingExtension) || name[2] != '.')
    return false;
  if (name.size() > 9 && name[5] != '.')
    return false;
  int minute = 0, second = 0;
  if (!ParseNumber(name.substr(0, 2), 2, minute) || !ParseNumber(name.substr(3, 2), 2, second) ||
      minute >= 60 || second > 60)
    return false;
  time.minute = minute;
  time.second = second;
  return true;
}

std::string ExportsFolder(const std::string& recordings_dir) {
  return (fs::path(recordings_dir) / kExportsFolder).string();
}

std::string ExportFileName(const std::string& camera, unsigned serial) {
  return fmt::format("{}-{}-{}{}", camera, ::getpid(), serial, kExportExtension);
}

}  // namespace corvette::storage
