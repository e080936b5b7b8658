#include "storage/event_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iterator>
#include <map>
#include <stdexcept>
#include <tuple>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace corvette::storage {

namespace {

constexpr const char* kUpsertSql = R"sql(
INSERT INTO "event" (id, label, camera, start_time, end_time, top_score, false_positive, zones,
                     thumbnail, has_clip, has_snapshot, in_progress)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET
  label = excluded.label, camera = excluded.camera, start_time = excluded.start_time,
  end_time = excluded.end_time, top_score = excluded.top_score,
  false_positive = excluded.false_positive, zones = excluded.zones,
  in_progress = excluded.in_progress,
  thumbnail = CASE WHEN excluded.thumbnail = '' THEN "event".thumbnail ELSE excluded.thumbnail END
)sql";

constexpr const char* kColumns =
    "id, label, camera, start_time, end_time, top_score, false_positive, zones, {}, has_clip, "
    "has_snapshot, in_progress";

nlohmann::json ParseZones(std::string_view text) {
  nlohmann::json zones = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!zones.is_array())
    return nlohmann::json::array();
  return zones;
}

std::vector<std::string> ZonesFromText(std::string_view text) {
  std::vector<std::string> zones;
  for (const auto& zone : ParseZones(text)) {
    if (zone.is_string())
      zones.push_back(zone.get<std::string>());
  }
  return zones;
}

EventRecord ReadRecord(const Statement& s) {
  EventRecord e;
  e.id = std::string(s.Text(0));
  e.label = std::string(s.Text(1));
  e.camera = std::string(s.Text(2));
  e.start_time = s.Double(3);
  e.end_time = s.Double(4);
  e.top_score = s.Double(5);
  e.false_positive = s.Int64(6) != 0;
  e.zones = ZonesFromText(s.Text(7));
  e.thumbnail = std::string(s.Text(8));
  e.has_clip = s.Int64(9) != 0;
  e.has_snapshot = s.Int64(10) != 0;
  e.in_progress = s.Int64(11) != 0;
  return e;
}

// The WHERE clause and its parameters for a filter, in bind order.
struct Where {
  std::string sql;
  std::vector<std::variant<double, std::string, std::int64_t>> params;

  void Add(std::string_view clause) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
  }
};

Where BuildWhere(const EventFilter& f) {
  Where w;
  if (f.camera) {
    w.Add("camera = ?");
    w.params.emplace_back(*f.camera);
  }
  if (f.label) {
    w.Add("label = ?");
    w.params.emplace_back(*f.label);
  }
  if (f.after) {
    w.Add("start_time >= ?");
    w.params.emplace_back(*f.after);
  }
  if (f.before) {
    w.Add("start_time <= ?");
    w.params.emplace_back(*f.before);
  }
  if (f.zone) {
    // A plain ASCII name appears verbatim in the JSON text of any list holding it, so a substring
    // test skips most rows before the exact test parses the list.
    const bool plain = std::all_of(f.zone->begin(), f.zone->end(), [](char c) {
      return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
      w.Add("instr(zones, ?) > 0");
      w.params.emplace_back(*f.zone);
    }
    w.Add(
        "(CASE WHEN json_valid(zones) THEN EXISTS (SELECT 1 FROM json_each(zones) WHERE "
        "json_each.value = ?) ELSE 0 END)");
    w.params.emplace_back(*f.zone);
  }
  if (f.has_clip) {
    w.Add("has_clip = ?");
    w.params.emplace_back(std::int64_t{*f.has_clip});
  }
  if (f.has_snapshot) {
    w.Add("has_snapshot = ?");
    w.params.emplace_back(std::int64_t{*f.has_snapshot});
  }
  return w;
}

void BindAll(Statement& s, const Where& w) {
  int index = 1;
  for (const auto& p : w.params) {
    std::visit([&](const auto& value) { s.Bind(index, value); }, p);
    ++index;
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define CORVETTE_EVENTS_AVX2 1
// 0xff in each of the 32 bytes at p that JSON must escape: c <= 0x1f (unsigned) exactly when
// max(c, 0x1f) == 0x1f.
__attribute__((target("avx2"))) inline __m256i EscapeFlags32(const char* p) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i last_control = _mm256_set1_epi8(0x1f);
  const __m256i control = _mm256_cmpeq_epi8(_mm256_max_epu8(v, last_control), last_control);
  return _mm256_or_si256(control, _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                                  _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))));
}

// FindEscape's search over whole 32-byte blocks from i: the index of the first byte to escape,
// or the start of the incomplete block at the end (at most 31 bytes left to test).
__attribute__((target("avx2"))) size_t FindEscapeAvx2(const char* data, size_t size, size_t i) {
  for (; i + 128 <= size; i += 128) {
    const __m256i any = _mm256_or_si256(
        _mm256_or_si256(EscapeFlags32(data + i), EscapeFlags32(data + i + 32)),
        _mm256_or_si256(EscapeFlags32(data + i + 64), EscapeFlags32(data + i + 96)));
    if (!_mm256_testz_si256(any, any))
      break;
  }
  for (; i + 32 <= size; i += 32) {
    if (const int mask = _mm256_movemask_epi8(EscapeFlags32(data + i)); mask != 0)
      return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
  return i;
}
#endif

// Index of the first byte of text[from..] that JSON must escape (", \\ or a control character), or
// text.size(). Thumbnails are long and never need escaping, so whole blocks are tested at once:
// 128 bytes per step with AVX2 where the CPU has it, 64 with SSE2 (every x86-64), 8 with plain
// integer arithmetic elsewhere.
size_t FindEscape(std::string_view text, size_t from) {
  const char* const data = text.data();
  const size_t size = text.size();
  size_t i = from;
#if defined(CORVETTE_EVENTS_AVX2)
  static const bool has_avx2 = __builtin_cpu_supports("avx2");
  if (has_avx2 && size - i >= 128) {
    i = FindEscapeAvx2(data, size, i);
    if (size - i >= 32)
      return i;  // found one
  }
#endif
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  // 0xff in each byte of the 16 at p that needs escaping (as EscapeFlags32).
  auto flags = [&](const char* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control);
    return _mm_or_si128(control,
                        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
  };
  for (; i + 64 <= size; i += 64) {
    const __m128i any = _mm_or_si128(_mm_or_si128(flags(data + i), flags(data + i + 16)),
                                     _mm_or_si128(flags(data + i + 32), flags(data + i + 48)));
    if (_mm_movemask_epi8(any) != 0)
      break;
  }
  for (; i + 16 <= size; i += 16) {
    if (const int mask = _mm_movemask_epi8(flags(data + i)); mask != 0)
      return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#else
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    // A byte is flagged when it is < 0x20, or zero after the xor; bytes >= 0x80 never are.
    const std::uint64_t flags =
        ((word - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes)) & ~word & kHighs;
    if (flags)
      break;
  }
#endif
  for (; i < size; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c < 0x20 || c == '"' || c == '\\')
      return i;
  }
  return i;
}

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t start = 0;
  for (size_t i = FindEscape(text, 0); i < text.size(); i = FindEscape(text, start)) {
    const auto c = static_cast<unsigned char>(text[i]);
    out.append(text.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + start, text.size() - start);
  out += '"';
}

// Shortest round-trip text of a double laid out as nlohmann::json (and Python) print it: fixed
// notation for decimal exponents -4 < n <= 15 with ".0" for whole numbers, scientific otherwise.
void AppendJsonDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  char buffer[64];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<size_t>(end - buffer));
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  // text is now "d[.ddd]e(+|-)xx[x]".
  const size_t e_pos = text.find('e');
  int exponent = 0;
  for (size_t k = e_pos + 2; k < text.size(); ++k)
    exponent = exponent * 10 + (text[k] - '0');
  if (text[e_pos + 1] == '-')
    exponent = -exponent;
  char digit_buffer[32];  // at most 17 significant digits
  size_t len = 0;
  for (char c : text.substr(0, e_pos)) {
    if (c != '.')
      digit_buffer[len++] = c;
  }
  const std::string_view digits(digit_buffer, len);
  const int n = exponent + 1;  // digits before the decimal point
  if (static_cast<int>(len) <= n && n <= 15) {
    out += digits;
    out.append(static_cast<size_t>(n) - len, '0');
    out += ".0";
  } else if (0 < n && n <= 15) {
    out += digits.substr(0, static_cast<size_t>(n));
    out += '.';
    out += digits.substr(static_cast<size_t>(n));
  } else if (-4 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += text;
  }
}

std::string FilterKey(const EventFilter& f) {
  auto opt = [](const auto& v) { return v ? fmt::format("={}", *v) : std::string("-"); };
  auto str = [](const std::optional<std::string>& v) {
    return v ? fmt::format("={}:{}", v->size(), *v) : std::string("-");
  };
  return fmt::format("events|{}|{}|{}|{}|{}|{}|{}|{}|{}", opt(f.before), opt(f.after),
                     str(f.camera), str(f.label), str(f.zone), opt(f.has_clip), opt(f.has_snapshot),
                     f.include_thumbnails, f.limit);
}

}  // namespace

std::string ZonesToJsonText(const std::vector<std::string>& zones) {
  std::string text = "[";
  for (size_t i = 0; i < zones.size(); ++i) {
    if (i)
      text += ", ";
    // Invalid UTF-8 (not from a YAML config) becomes U+FFFD instead of throwing on the writer.
    text += nlohmann::json(zones[i]).dump(-1, ' ', /*ensure_ascii=*/true,
                                          nlohmann::json::error_handler_t::replace);
  }
  text += "]";
  return text;
}

nlohmann::json EventToJson(const EventRecord& e, bool include_thumbnail) {
  nlohmann::json j;
  j["camera"] = e.camera;
  j["end_time"] = e.end_time;
  j["false_positive"] = e.false_positive;
  j["has_clip"] = e.has_clip;
  j["has_snapshot"] = e.has_snapshot;
  j["id"] = e.id;
  j["in_progress"] = e.in_progress;
  j["label"] = e.label;
  j["start_time"] = e.start_time;
  if (include_thumbnail)
    j["thumbnail"] = e.thumbnail;
  j["top_score"] = e.top_score;
  j["zones"] = e.zones;
  return j;
}

// A reader connection borrowed from the pool.
class EventStore::ReaderLease {
 public:
  ReaderLease(const EventStore& store, Database* db) : store_(store), db_(db) {}
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  ~ReaderLease() { store_.ReleaseReader(db_); }
  Database& operator*() const { return *db_; }
  Database* operator->() const { return db_; }

 private:
  const EventStore& store_;
  Database* db_;
};

EventStore::EventStore(Options options)
    : options_(std::move(options)), writer_db_(Database::Open(options_.path)) {
  Migrate(writer_db_);
  // No event is in progress before this process tracks one: rows still marked so were cut short
  // by a stop or a crash, and keep the end_time (last sighting) they had.
  writer_db_.Exec(R"(UPDATE "event" SET in_progress = 0 WHERE in_progress = 1)");
  if (const int interrupted = writer_db_.Changes(); interrupted > 0) {
    spdlog::info("storage: {} event(s) in progress when corvette last stopped are ended",
                 interrupted);
  }
  for (int i = 0; i < std::max(1, options_.readers); ++i) {
    readers_.push_back(std::make_unique<Database>(Database::Open(
        options_.path, OpenOptions{.read_only = true, .mmap_bytes = options_.reader_mmap_bytes})));
    free_readers_.push_back(readers_.back().get());
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

EventStore::~EventStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  writer_.join();
}

EventStore::Ticket EventStore::Enqueue(std::variant<UpsertOp, SetFlagOp, DeleteOp> what) {
  Ticket ticket;
  {
    std::unique_lock lock(mutex_);
    queue_changed_.wait(lock, [&] { return stopping_ || queue_.size() < options_.queue_capacity; });
    if (stopping_)
      throw std::logic_error("EventStore: write after shutdown began");
    ticket = next_ticket_++;
    queue_.push_back(Op{ticket, std::move(what)});
  }
  queue_changed_.notify_all();
  return ticket;
}

EventStore::Ticket EventStore::Upsert(EventRecord event) {
  return Enqueue(UpsertOp{std::move(event)});
}

EventStore::Ticket EventStore::SetHasClip(std::string id, bool value) {
  return Enqueue(SetFlagOp{std::move(id), true, value});
}

EventStore::Ticket EventStore::SetHasSnapshot(std::string id, bool value) {
  return Enqueue(SetFlagOp{std::move(id), false, value});
}

EventStore::Ticket EventStore::Delete(std::string id) {
  return Enqueue(DeleteOp{std::move(id)});
}

bool EventStore::WaitDurable(Ticket ticket) {
  std::unique_lock lock(mutex_);
  applied_changed_.wait(lock, [&] { return applied_ticket_ >= ticket; });
  return !failed_tickets_.contains(ticket);
}

bool EventStore::Flush() {
  Ticket last;
  std::uint64_t failed_before;
  {
    std::lock_guard lock(mutex_);
    last = next_ticket_ - 1;
    failed_before = counters_.failed;
  }
  std::unique_lock lock(mutex_);
  applied_changed_.wait(lock, [&] { return applied_ticket_ >= last; });
  return counters_.failed == failed_before;
}

EventStore::Counters EventStore::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void EventStore::Apply(const Op& op) {
  if (const auto* upsert = std::get_if<UpsertOp>(&op.what)) {
    const EventRecord& e = upsert->event;
    Statement& s = writer_db_.Cached(kUpsertSql);
    ScopedReset reset(s);
    s.Bind(1, e.id)
        .Bind(2, e.label)
        .Bind(3, e.camera)
        .Bind(4, e.start_time)
        .Bind(5, e.end_time)
        .Bind(6, e.top_score)
        .Bind(7, e.false_positive)
        .Bind(8, ZonesToJsonText(e.zones))
        .Bind(9, e.thumbnail)
        .Bind(10, e.has_clip)
        .Bind(11, e.has_snapshot)
        .Bind(12, e.in_progress);
    s.Run();
  } else if (const auto* flag = std::get_if<SetFlagOp>(&op.what)) {
    Statement& s =
        writer_db_.Cached(flag->clip ? R"(UPDATE "event" SET has_clip = ? WHERE id = ?)"
                                     : R"(UPDATE "event" SET has_snapshot = ? WHERE id = ?)");
    ScopedReset reset(s);
    s.Bind(1, flag->value).Bind(2, flag->id);
    s.Run();
  } else if (const auto* del = std::get_if<DeleteOp>(&op.what)) {
    Statement& s = writer_db_.Cached(R"(DELETE FROM "event" WHERE id = ?)");
    ScopedReset reset(s);
    s.Bind(1, del->id);
    s.Run();
  }
}

void EventStore::WriterLoop() {
  std::vector<Op> batch;
  std::vector<Ticket> failed;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queue_changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;  // stopping and drained
      const size_t n = std::min(queue_.size(), std::max<size_t>(1, options_.batch_size));
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    queue_changed_.notify_all();  // room for blocked producers

    failed.clear();
    std::uint64_t transactions = 0;
    try {
      Transaction tx(writer_db_);
      for (const Op& op : batch)
        Apply(op);
      tx.Commit();
      ++transactions;
    } catch (const std::exception& batch_error) {
      // Find the culprit(s): apply one by one so the others still land. Any exception (SQLite's,
      // or JSON's for a value it cannot encode) fails only its own write, never the thread.
      spdlog::warn("storage: batch of {} writes failed ({}); retrying one by one", batch.size(),
                   batch_error.what());
      for (const Op& op : batch) {
        try {
          Transaction tx(writer_db_);
          Apply(op);
          tx.Commit();
          ++transactions;
        } catch (const std::exception& e) {
          spdlog::error("storage: write {} failed: {}", op.ticket, e.what());
          failed.push_back(op.ticket);
        }
      }
    }
    {
      std::lock_guard lock(mutex_);
      applied_ticket_ = batch.back().ticket;
      counters_.applied += batch.size() - failed.size();
      counters_.failed += failed.size();
      counters_.batches += transactions;
      generation_.fetch_add(1);
      // Remember recent failures only; a waiter asks right after its write.
      if (failed_tickets_.size() > 100000)
        failed_tickets_.clear();
      failed_tickets_.insert(failed.begin(), failed.end());
    }
    applied_changed_.notify_all();
  }
}

EventStore::ReaderLease EventStore::AcquireReader() const {
  std::unique_lock lock(readers_mutex_);
  if (!free_readers_.empty() && reader_waiters_.empty()) {
    Database* db = free_readers_.back();
    free_readers_.pop_back();
    return ReaderLease(*this, db);
  }
  // First come, first served: without the queue, a thread that releases a connection and asks
  // again at once takes it back before the woken waiter runs, and waiters starve for as long as
  // the busy threads keep their cores (tens of milliseconds with 8 clients on 2 cores).
  ReaderWaiter waiter;
  reader_waiters_.push_back(&waiter);
  waiter.handed.wait(lock, [&] { return waiter.db != nullptr; });
  return ReaderLease(*this, waiter.db);
}

void EventStore::ReleaseReader(Database* db) const {
  std::lock_guard lock(readers_mutex_);
  if (reader_waiters_.empty()) {
    free_readers_.push_back(db);
    return;
  }
  ReaderWaiter* oldest = reader_waiters_.front();
  reader_waiters_.pop_front();
  oldest->db = db;
  // Under the lock: the waiter (on its own stack) cannot return before it takes the lock.
  oldest->handed.notify_one();
}

namespace {

std::string EventsSql(const EventFilter& filter, const Where& where) {
  if (filter.limit < 0 || filter.limit > EventFilter::kMaxLimit) {
    throw std::invalid_argument(
        fmt::format("limit must be between 0 and {}", EventFilter::kMaxLimit));
  }
  return fmt::format(
      "SELECT {} FROM \"event\"{} ORDER BY start_time DESC LIMIT ?",
      fmt::format(fmt::runtime(kColumns), filter.include_thumbnails ? "thumbnail" : "''"),
      where.sql);
}

}  // namespace

std::vector<EventRecord> EventStore::Query(const EventFilter& filter) const {
  const Where where = BuildWhere(filter);
  const std::string sql = EventsSql(filter, where);
  ReaderLease db = AcquireReader();
  Statement& s = db->Cached(sql);
  ScopedReset reset(s);
  BindAll(s, where);
  s.Bind(static_cast<int>(where.params.size()) + 1, filter.limit);
  std::vector<EventRecord> rows;
  rows.reserve(static_cast<size_t>(std::min(filter.limit, 1000)));
  while (s.Step())
    rows.push_back(ReadRecord(s));
  return rows;
}

template <typename Render>
std::shared_ptr<const std::string> EventStore::Cached(const std::string& key,
                                                      Render&& render) const {
  const std::uint64_t generation = generation_.load();
  {
    std::lock_guard lock(cache_mutex_);
    if (cache_generation_ != generation) {
      cache_.clear();
      cache_generation_ = generation;
    }
    if (auto it = cache_.find(key); it != cache_.end())
      return it->second;
  }
  auto body = std::make_shared<const std::string>(render());
  std::lock_guard lock(cache_mutex_);
  // Keep it only if nothing was committed meanwhile (the rendering may predate that write).
  if (cache_generation_ == generation && cache_.size() < 256)
    cache_.emplace(key, body);
  return body;
}

std::shared_ptr<const std::string> EventStore::EventsJson(const EventFilter& filter) const {
  using namespace std::string_view_literals;
  const Where where = BuildWhere(filter);
  const std::string sql = EventsSql(filter, where);
  return Cached(FilterKey(filter), [&] {
    ReaderLease db = AcquireReader();
    Statement& s = db->Cached(sql);
    ScopedReset reset(s);
    BindAll(s, where);
    s.Bind(static_cast<int>(where.params.size()) + 1, filter.limit);
    std::string out = "[";
    bool first = true;
    size_t rows = 0;
    std::map<std::string, std::string, std::less<>> rendered_zones;
    while (s.Step()) {
      if (++rows == 2) {
        // Rows are alike in size; grow once instead of doubling through megabytes.
        out.reserve(out.size() * static_cast<size_t>(std::min(filter.limit, 1000)) * 11 / 10);
      }
      out += first ? "{"sv : ",{"sv;
      first = false;
      out += "\"camera\":";
      AppendJsonString(out, s.Text(2));
      out += ",\"end_time\":";
      AppendJsonDouble(out, s.Double(4));
      out += s.Int64(6) ? ",\"false_positive\":true"sv : ",\"false_positive\":false"sv;
      out += s.Int64(9) ? ",\"has_clip\":true"sv : ",\"has_clip\":false"sv;
      out += s.Int64(10) ? ",\"has_snapshot\":true"sv : ",\"has_snapshot\":false"sv;
      out += ",\"id\":";
      AppendJsonString(out, s.Text(0));
      out += s.Int64(11) ? ",\"in_progress\":true"sv : ",\"in_progress\":false"sv;
      out += ",\"label\":";
      AppendJsonString(out, s.Text(1));
      out += ",\"start_time\":";
      AppendJsonDouble(out, s.Double(3));
      if (filter.include_thumbnails) {
        out += ",\"thumbnail\":";
        AppendJsonString(out, s.Text(8));
      }
      out += ",\"top_score\":";
      AppendJsonDouble(out, s.Double(5));
      out += ",\"zones\":";
      // Few distinct zone lists: render each once per request.
      const std::string_view zones_text = s.Text(7);
      auto it = rendered_zones.find(zones_text);
      if (it == rendered_zones.end()) {
        nlohmann::json zones = nlohmann::json::array();
        for (const std::string& zone : ZonesFromText(zones_text))
          zones.push_back(zone);
        it = rendered_zones.emplace(std::string(zones_text), zones.dump()).first;
      }
      out += it->second;
      out += '}';
    }
    out += ']';
    return out;
  });
}

std::shared_ptr<const std::string> EventStore::SummaryJson(std::optional<bool> has_clip,
                                                           std::optional<bool> has_snapshot) const {
  auto opt = [](const std::optional<bool>& v) { return v ? (*v ? "1" : "0") : "-"; };
  return Cached(fmt::format("summary|{}|{}", opt(has_clip), opt(has_snapshot)),
                [&] { return Summary(has_clip, has_snapshot).dump(); });
}

nlohmann::json EventStore::Events(const EventFilter& filter) const {
  nlohmann::json list = nlohmann::json::array();
  for (const EventRecord& e : Query(filter)) {
    list.push_back(EventToJson(e, filter.include_thumbnails));
  }
  return list;
}

std::optional<EventRecord> EventStore::Get(const std::string& id) const {
  ReaderLease db = AcquireReader();
  Statement& s = db->Cached(fmt::format("SELECT {} FROM \"event\" WHERE id = ?",
                                        fmt::format(fmt::runtime(kColumns), "thumbnail")));
  ScopedReset reset(s);
  s.Bind(1, id);
  if (!s.Step())
    return std::nullopt;
  return ReadRecord(s);
}

namespace {

// The local calendar day ("%Y-%m-%d", the process's TZ) of epoch times, remembering the bounds of
// the last day so a run of times on one day costs one localtime_r.
class LocalDay {
 public:
  const std::string& Of(double time) {
    const auto second = static_cast<std::int64_t>(std::floor(time));
    if (second < start_ || second >= end_)
      Compute(second);
    return day_;
  }

 private:
  void Compute(std::int64_t second) {
    const time_t t = static_cast<time_t>(second);
    std::tm local{};
    localtime_r(&t, &local);
    char buffer[32];
    std::strftime(buffer, sizeof(buffer), "%Y-%m-%d", &local);
    day_ = buffer;
    std::tm midnight = local;
    midnight.tm_hour = midnight.tm_min = midnight.tm_sec = 0;
    midnight.tm_isdst = -1;
    std::tm next = midnight;
    next.tm_mday += 1;
    start_ = static_cast<std::int64_t>(std::mktime(&midnight));
    end_ = static_cast<std::int64_t>(std::mktime(&next));
    if (start_ > second || end_ <= second) {  // odd zone rules: do not cache
      start_ = second;
      end_ = second + 1;
    }
  }

  std::int64_t start_ = 1;
  std::int64_t end_ = 0;
  std::string day_;
};

}  // namespace

nlohmann::json EventStore::Summary(std::optional<bool> has_clip,
                                   std::optional<bool> has_snapshot) const {
  Where where;
  if (has_clip) {
    where.Add("has_clip = ?");
    where.params.emplace_back(std::int64_t{*has_clip});
  }
  if (has_snapshot) {
    where.Add("has_snapshot = ?");
    where.params.emplace_back(std::int64_t{*has_snapshot});
  }
  // Frigate groups in SQL with strftime(datetime(start_time, 'unixepoch', 'localtime')) per row;
  // the same grouping is done here with one localtime_r per day, over the covering index.
  const std::string sql = fmt::format(
      "SELECT camera, label, start_time, zones FROM \"event\"{} ORDER BY camera, label, start_time",
      where.sql);
  struct Group {
    std::string camera, label, day, zones;
    bool operator<(const Group& o) const {
      return std::tie(camera, label, day, zones) < std::tie(o.camera, o.label, o.day, o.zones);
    }
  };
  std::map<Group, std::int64_t> counts;
  {
    ReaderLease db = AcquireReader();
    Statement& s = db->Cached(sql);
    ScopedReset reset(s);
    BindAll(s, where);
    LocalDay local_day;
    Group key;
    std::map<Group, std::int64_t>::iterator last = counts.end();
    while (s.Step()) {
      const std::string_view camera = s.Text(0), label = s.Text(1), zones = s.Text(3);
      const std::string& day = local_day.Of(s.Double(2));
      if (last != counts.end() && last->first.camera == camera && last->first.label == label &&
          last->first.day == day && last->first.zones == zones) {
        ++last->second;
        continue;
      }
      key.camera.assign(camera);
      key.label.assign(label);
      key.day = day;
      key.zones.assign(zones);
      last = counts.try_emplace(key, 0).first;
      ++last->second;
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [group, count] : counts) {
    nlohmann::json row;
    row["camera"] = group.camera;
    row["count"] = count;
    row["day"] = group.day;
    row["label"] = group.label;
    row["zones"] = ParseZones(group.zones);
    list.push_back(std::move(row));
  }
  return list;
}

}  // namespace corvette::storage
