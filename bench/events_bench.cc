// /api/events at the storage layer: EventStore::Events() plus JSON serialisation, over a database
// of 100,000 events with 175-px-thumbnail-sized rows, from 8 concurrent clients. Target (issue 5):
// median <= 5 ms, p99 <= 20 ms, with and without a camera+label filter. The database is built once
// at $CORVETTE_EVENTS_BENCH_DB (default /tmp/corvette-events-bench.db).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/event_store.h"
#include "storage/migrations.h"

namespace {

using corvette::storage::Database;
using corvette::storage::EventFilter;
using corvette::storage::EventStore;
using corvette::storage::Statement;
using corvette::storage::Transaction;

constexpr int kEvents = 100'000;
constexpr size_t kThumbnailChars = 8'000;  // base64 of a ~6 KB 175x175 JPEG

std::string BenchPath() {
  const char* env = std::getenv("CORVETTE_EVENTS_BENCH_DB");
  return env ? env : "/tmp/corvette-events-bench.db";
}

void BuildDatabase(const std::string& path) {
  {
    Database db = Database::Open(path);
    corvette::storage::Migrate(db);
    if (db.QueryInt("SELECT COUNT(*) FROM event") == kEvents)
      return;
    db.Exec("DELETE FROM event");
    std::mt19937 random(1);
    const char* cameras[] = {"front", "back", "side", "garage"};
    const char* labels[] = {"person", "car", "dog", "cat"};
    const char* zones[] = {"[]", R"(["yard"])", R"(["yard", "driveway"])", R"(["porch"])"};
    std::string thumbnail(kThumbnailChars, 'A');
    Transaction tx(db);
    Statement insert = db.Prepare(
        "INSERT INTO event (id, label, camera, start_time, end_time, top_score, false_positive, "
        "zones, thumbnail, has_clip, has_snapshot) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)");
    for (int i = 0; i < kEvents; ++i) {
      const double start = 1.6e9 + i * 30.0;
      for (char& c : thumbnail)
        c = static_cast<char>('A' + random() % 26);
      insert.Reset();
      insert.Bind(1, std::to_string(start) + "-" + std::to_string(i))
          .Bind(2, labels[random() % 4])
          .Bind(3, cameras[random() % 4])
          .Bind(4, start)
          .Bind(5, start + 12.5)
          .Bind(6, 0.8)
          .Bind(7, zones[random() % 4])
          .Bind(8, thumbnail)
          .Bind(9, static_cast<bool>(random() % 2))
          .Bind(10, true);
      insert.Run();
    }
    tx.Commit();
  }
}

EventStore& Store(int readers) {
  // One store at a time; benchmarks run one after another.
  static std::mutex mutex;
  static std::unique_ptr<EventStore> store;
  static int store_readers = 0;
  std::lock_guard lock(mutex);
  if (!store || store_readers != readers) {
    store.reset();
    BuildDatabase(BenchPath());
    store =
        std::make_unique<EventStore>(EventStore::Options{.path = BenchPath(), .readers = readers});
    store_readers = readers;
  }
  return *store;
}

// Each client asks `filter`; with `distinct` every request differs (a `before` bound past the
// newest event, unique per request), so nothing is served from the rendered-body cache.
void RunQueries(benchmark::State& state, EventFilter filter, bool distinct) {
  EventStore& store = Store(static_cast<int>(state.range(0)));
  std::vector<double> latencies;
  size_t bytes = 0;
  double unique = 2e9 + state.thread_index() * 1e6;
  for (auto _ : state) {
    if (distinct)
      filter.before = unique++;
    const auto begin = std::chrono::steady_clock::now();
    const std::shared_ptr<const std::string> body = store.EventsJson(filter);
    latencies.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
            .count());
    bytes += body->size();
    benchmark::DoNotOptimize(body);
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    auto at = [&](double q) { return latencies[static_cast<size_t>(q * (latencies.size() - 1))]; };
    state.counters["p50_ms"] = benchmark::Counter(at(0.5), benchmark::Counter::kAvgThreads);
    state.counters["p99_ms"] = benchmark::Counter(at(0.99), benchmark::Counter::kAvgThreads);
    state.counters["body_kB"] =
        benchmark::Counter(bytes / 1024.0 / latencies.size(), benchmark::Counter::kAvgThreads);
  }
}

void BM_EventsNewest100(benchmark::State& state) {
  RunQueries(state, {}, false);
}
void BM_EventsNewest100Uncached(benchmark::State& state) {
  RunQueries(state, {}, true);
}
void BM_EventsCameraLabel100Uncached(benchmark::State& state) {
  RunQueries(state, {.camera = "garage", .label = "dog"}, true);
}
void BM_EventsZone100Uncached(benchmark::State& state) {
  RunQueries(state, {.zone = "porch"}, true);
}
void BM_EventsNoThumbnails100Uncached(benchmark::State& state) {
  RunQueries(state, {.include_thumbnails = false}, true);
}
void BM_SummaryUncached(benchmark::State& state) {
  EventStore& store = Store(static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(store.Summary());
}

// Argument: reader connections in the pool.
BENCHMARK(BM_EventsNewest100)->Arg(4)->Threads(8)->UseRealTime();
BENCHMARK(BM_EventsNewest100Uncached)->Arg(4)->Arg(8)->Threads(8)->UseRealTime();
BENCHMARK(BM_EventsCameraLabel100Uncached)->Arg(4)->Threads(8)->UseRealTime();
BENCHMARK(BM_EventsZone100Uncached)->Arg(4)->Threads(8)->UseRealTime();
BENCHMARK(BM_EventsNoThumbnails100Uncached)->Arg(4)->Threads(8)->UseRealTime();
BENCHMARK(BM_SummaryUncached)->Arg(4)->UseRealTime();

void BM_UpsertDurable(benchmark::State& state) {
  const std::string path = BenchPath() + ".upsert";
  std::filesystem::remove(path);
  {
    EventStore store({.path = path});
    corvette::storage::EventRecord e;
    e.label = "person";
    e.camera = "front";
    e.thumbnail.assign(kThumbnailChars, 'A');
    int i = 0;
    for (auto _ : state) {
      e.id = "e" + std::to_string(i);
      e.start_time = i++;
      store.WaitDurable(store.Upsert(e));
    }
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}
BENCHMARK(BM_UpsertDurable)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
