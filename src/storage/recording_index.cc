#include "storage/recording_index.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "storage/migrations.h"

namespace corvette::storage {
namespace {

constexpr double kLongestRecordingSeconds = 86400.0;

RecordingRow ReadRow(const Statement& statement) {
  return {std::string(statement.Text(0)), std::string(statement.Text(1)), statement.Double(2),
          statement.Double(3), statement.Int64(4)};
}

}  // namespace

std::vector<RecordingSpan> JoinSpans(const std::vector<RecordingRow>& rows, double join_seconds) {
  std::vector<RecordingSpan> spans;
  for (const RecordingRow& row : rows) {
    if (!spans.empty() && row.start < spans.back().end + join_seconds) {
      RecordingSpan& last = spans.back();
      last.end = std::max(last.end, row.end);
      ++last.segments;
      last.bytes += row.bytes;
    } else {
      spans.push_back({row.start, row.end, 1, row.bytes});
    }
  }
  return spans;
}

std::vector<TimeRange> GapsBetween(const std::vector<RecordingSpan>& spans, double after,
                                   double before) {
  std::vector<TimeRange> gaps;
  double covered_to = after;
  for (const RecordingSpan& span : spans) {
    if (span.start > covered_to && covered_to < before)
      gaps.push_back({covered_to, std::min(span.start, before)});
    covered_to = std::max(covered_to, span.end);
  }
  if (covered_to < before)
    gaps.push_back({covered_to, before});
  return gaps;
}

RecordingIndex::RecordingIndex(const std::string& database_path)
    : writer_(Database::Open(database_path)),
      reader_(Database::Open(database_path, {.read_only = true, .create = false})) {
  Migrate(writer_);
}

void RecordingIndex::Add(const RecordingRow& row) {
  std::lock_guard lock(write_mutex_);
  Statement& insert = writer_.Cached(
      R"(INSERT OR REPLACE INTO "recording" ("path", "camera", "start_time", "end_time", "bytes")
         VALUES (?, ?, ?, ?, ?))");
  ScopedReset reset(insert);
  insert.Bind(1, row.path)
      .Bind(2, row.camera)
      .Bind(3, row.start)
      .Bind(4, row.end)
      .Bind(5, row.bytes);
  insert.Run();
}

void RecordingIndex::Remove(const std::string& path) {
  std::lock_guard lock(write_mutex_);
  Statement& remove = writer_.Cached(R"(DELETE FROM "recording" WHERE "path" = ?)");
  ScopedReset reset(remove);
  remove.Bind(1, path);
  remove.Run();
}

std::vector<RecordingRow> RecordingIndex::Between(const std::string& camera, double after,
                                                  double before) const {
  std::lock_guard lock(read_mutex_);
  Statement& query = reader_.Cached(
      R"(SELECT "path", "camera", "start_time", "end_time", "bytes" FROM "recording"
         WHERE "camera" = ? AND "start_time" >= ? AND "start_time" < ? AND "end_time" > ?
         ORDER BY "start_time")");
  ScopedReset reset(query);
  query.Bind(1, camera).Bind(2, after - kLongestRecordingSeconds).Bind(3, before).Bind(4, after);
  std::vector<RecordingRow> rows;
  while (query.Step())
    rows.push_back(ReadRow(query));
  return rows;
}

std::vector<RecordingRow> RecordingIndex::All() const {
  std::lock_guard lock(read_mutex_);
  Statement& query = reader_.Cached(
      R"(SELECT "path", "camera", "start_time", "end_time", "bytes" FROM "recording"
         ORDER BY "start_time")");
  ScopedReset reset(query);
  std::vector<RecordingRow> rows;
  while (query.Step())
    rows.push_back(ReadRow(query));
  return rows;
}

std::vector<RecordingRow> RecordingIndex::Oldest(int limit) const {
  std::lock_guard lock(read_mutex_);
  Statement& query = reader_.Cached(
      R"(SELECT "path", "camera", "start_time", "end_time", "bytes" FROM "recording"
         ORDER BY "start_time" LIMIT ?)");
  ScopedReset reset(query);
  query.Bind(1, limit);
  std::vector<RecordingRow> rows;
  while (query.Step())
    rows.push_back(ReadRow(query));
  return rows;
}

std::int64_t RecordingIndex::TotalBytes() const {
  std::lock_guard lock(read_mutex_);
  Statement& query = reader_.Cached(R"(SELECT COALESCE(SUM("bytes"), 0) FROM "recording")");
  ScopedReset reset(query);
  return query.Step() ? query.Int64(0) : 0;
}

RecordingIndex::ReconcileResult RecordingIndex::Reconcile(
    const std::vector<RecordingRow>& files,
    const std::function<std::optional<double>(const std::string&)>& probe_duration) {
  ReconcileResult result;
  std::set<std::string> indexed;
  for (const RecordingRow& row : All())
    indexed.insert(row.path);
  std::set<std::string> on_disk;
  for (const RecordingRow& file : files) {
    on_disk.insert(file.path);
    if (indexed.contains(file.path))
      continue;
    std::optional<double> duration = probe_duration(file.path);
    if (!duration) {
      ++result.unreadable;
      continue;
    }
    std::error_code ec;
    auto bytes = std::filesystem::file_size(file.path, ec);
    RecordingRow row = file;
    row.end = row.start + *duration;
    row.bytes = ec ? 0 : static_cast<std::int64_t>(bytes);
    Add(row);
    ++result.added;
  }
  for (const std::string& path : indexed) {
    if (!on_disk.contains(path)) {
      Remove(path);
      ++result.removed;
    }
  }
  return result;
}

}  // namespace corvette::storage
