#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"

namespace corvette::storage {

// One row of the `event` table (Frigate 0.8's columns, §8.2).
struct EventRecord {
  std::string id;  // "<start frame_time>-<6 chars>"
  std::string label;
  std::string camera;
  double start_time = 0.0;  // epoch seconds
  double end_time = 0.0;    // last time the object was seen (while in progress: so far)
  double top_score = 0.0;
  bool false_positive = false;
  std::vector<std::string> zones;  // entered zones, in the order entered
  std::string thumbnail;           // base64 of the 175-px JPEG
  bool has_clip = false;
  bool has_snapshot = false;
  // True while the object is still tracked (end_time is then the last sighting so far); false once
  // the event has ended and its final row (and snapshot) is stored. corvette's column.
  bool in_progress = false;

  bool operator==(const EventRecord&) const = default;
};

// The filters of GET /api/events (§9.2). An unset optional is "not given"; a given 0 is honoured
// (after=0 means start_time >= 0), unlike 0.8.
struct EventFilter {
  static constexpr int kDefaultLimit = 100;
  static constexpr int kMaxLimit = 10000;

  std::optional<double> before{};  // start_time <= before
  std::optional<double> after{};   // start_time >= after
  std::optional<std::string> camera{};
  std::optional<std::string> label{};
  std::optional<std::string> zone{};  // equals one element of the zones list
  std::optional<bool> has_clip{};
  std::optional<bool> has_snapshot{};
  bool include_thumbnails = true;
  int limit = kDefaultLimit;  // 0..kMaxLimit
};

// The JSON of an event as /api/events and /api/events/<id> return it: keys camera, end_time,
// false_positive, has_clip, has_snapshot, id, in_progress, label, start_time, thumbnail (unless
// excluded), top_score, zones.
nlohmann::json EventToJson(const EventRecord& event, bool include_thumbnail = true);

// The zones column text as Frigate writes it (Python json.dumps of a list: `["yard", "driveway"]`);
// bytes that are not UTF-8 are written as U+FFFD.
std::string ZonesToJsonText(const std::vector<std::string>& zones);

// The event table behind one writer thread and a pool of reader connections.
//
// Writes are queued (bounded; a full queue blocks the caller until the writer catches up) and
// applied in order by the writer thread, in batches of up to `batch_size` per transaction. Each
// write returns a ticket; WaitDurable(ticket) returns once it is committed (it then survives a
// crash of the process) and says whether it succeeded. Readers use their own WAL connections and
// never wait for the writer. All methods are thread-safe.
//
// In-progress events: the event recorder upserts the row as soon as an object becomes a true
// positive, with in_progress = 1 and end_time = last seen so far (end_time is NOT NULL in 0.8's
// table), and upserts it again as it changes and when it ends (in_progress = 0). Opening the
// store ends every row still in progress: its process stopped or died while tracking it.
// has_clip/has_snapshot change only through SetHasClip / SetHasSnapshot, after the file exists.
class EventStore {
 public:
  struct Options {
    std::string path;  // the SQLite file (frigate.db)
    size_t queue_capacity = 4096;
    size_t batch_size = 256;
    int readers = 4;  // reader connections; more concurrent readers wait for one
    // How much of the file each reader memory-maps (PRAGMA mmap_size; SQLite caps it at its
    // build's SQLITE_MAX_MMAP_SIZE, 2 GiB on Debian). Rows in the mapped part are read without a
    // system call per page: a page of /api/events reads ~300 pages of thumbnails scattered over
    // the whole file, so the whole file should be mapped. Address space only; the pages are the
    // kernel's file cache, shared by all readers. Beyond it, pages are read with pread.
    std::int64_t reader_mmap_bytes = std::int64_t{2} << 30;
  };
  using Ticket = std::uint64_t;

  // Opens (creating if needed) and migrates the database, then starts the writer. Throws Error.
  explicit EventStore(Options options);
  // Applies every queued write, then stops the writer.
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Inserts the row, or updates every column of an existing one except has_clip/has_snapshot (an
  // empty thumbnail keeps the stored one). On insert has_clip/has_snapshot are taken from `event`.
  Ticket Upsert(EventRecord event);
  Ticket SetHasClip(std::string id, bool value);
  Ticket SetHasSnapshot(std::string id, bool value);
  Ticket Delete(std::string id);

  // Blocks until the write with this ticket is committed or failed; true when committed.
  bool WaitDurable(Ticket ticket);
  // Blocks until every write queued before the call is applied; true when no write failed in the
  // meantime.
  bool Flush();

  // GET /api/events: matching rows newest first (start_time descending) as a JSON list.
  // Throws std::invalid_argument when limit is outside 0..kMaxLimit.
  nlohmann::json Events(const EventFilter& filter) const;
  // The same answer as the response body (the text of Events().dump()), rendered straight from the
  // rows. Identical requests share one rendering until the next write is committed, so pollers cost
  // one query per change. Throws as Events().
  std::shared_ptr<const std::string> EventsJson(const EventFilter& filter) const;
  // The same rows as records.
  std::vector<EventRecord> Query(const EventFilter& filter) const;
  std::optional<EventRecord> Get(const std::string& id) const;
  // GET /api/events/summary: counts grouped by camera, label, local day of start_time (the
  // process's TZ) and zones list, optionally only rows with the given has_clip / has_snapshot.
  nlohmann::json Summary(std::optional<bool> has_clip = std::nullopt,
                         std::optional<bool> has_snapshot = std::nullopt) const;

  // Summary().dump(), shared like EventsJson.
  std::shared_ptr<const std::string> SummaryJson(
      std::optional<bool> has_clip = std::nullopt,
      std::optional<bool> has_snapshot = std::nullopt) const;

  struct Counters {
    std::uint64_t applied = 0;  // writes committed
    std::uint64_t failed = 0;   // writes that failed (logged)
    std::uint64_t batches = 0;  // transactions
  };
  Counters counters() const;
  const std::string& path() const { return options_.path; }

 private:
  struct UpsertOp {
    EventRecord event;
  };
  struct SetFlagOp {
    std::string id;
    bool clip;  // true: has_clip, false: has_snapshot
    bool value;
  };
  struct DeleteOp {
    std::string id;
  };
  struct Op {
    Ticket ticket;
    std::variant<UpsertOp, SetFlagOp, DeleteOp> what;
  };

  class ReaderLease;

  Ticket Enqueue(std::variant<UpsertOp, SetFlagOp, DeleteOp> what);
  void WriterLoop();
  void Apply(const Op& op);
  ReaderLease AcquireReader() const;
  // The cached body for `key`, or renders it with `render` and caches it for this generation.
  template <typename Render>
  std::shared_ptr<const std::string> Cached(const std::string& key, Render&& render) const;
  void ReleaseReader(Database* db) const;

  Options options_;
  Database writer_db_;

  mutable std::mutex mutex_;
  std::condition_variable queue_changed_;  // writer waits for work, producers for room
  std::condition_variable applied_changed_;
  std::deque<Op> queue_;
  Ticket next_ticket_ = 1;
  Ticket applied_ticket_ = 0;  // every ticket <= this is committed or failed
  std::unordered_set<Ticket> failed_tickets_;
  Counters counters_;
  bool stopping_ = false;
  std::thread writer_;
  std::atomic<std::uint64_t> generation_{0};  // bumped after every committed batch

  mutable std::mutex cache_mutex_;
  mutable std::uint64_t cache_generation_ = 0;
  mutable std::unordered_map<std::string, std::shared_ptr<const std::string>> cache_;

  // A thread waiting for a reader connection; ReleaseReader hands one to the oldest waiter.
  struct ReaderWaiter {
    Database* db = nullptr;  // set (under readers_mutex_) when handed a connection
    std::condition_variable handed;
  };

  mutable std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Database>> readers_;
  mutable std::vector<Database*> free_readers_;
  mutable std::deque<ReaderWaiter*> reader_waiters_;  // oldest first
};

}  // namespace corvette::storage
