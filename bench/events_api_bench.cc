// GET /api/events through the router (query parsing, EventStore, JSON body) over a database of
// 100,000 events with thumbnail-sized rows, from 8 concurrent clients in-process (no sockets).
// Target (issue 5): median <= 5 ms and p99 <= 20 ms, with and without a camera+label filter.
// Reported as counters p50_ms / p99_ms / max_ms per case. Cases:
//   Polling:          the same /api/events?limit=100 again and again (what the UI and HA do):
//                     answered from the store's per-generation body cache after the first.
//   Distinct:         limit=100 with a different `before` on every request: a query each time.
//   DistinctFiltered: the same with camera= and label=.
// The database is built once at $CORVETTE_EVENTS_API_BENCH_DB (default
// /tmp/corvette-events-api-bench.db) through EventStore::Upsert.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "http/event_routes.h"
#include "storage/event_store.h"

namespace {

using corvette::storage::EventRecord;
using corvette::storage::EventStore;

constexpr int kEvents = 100'000;
constexpr int kClients = 8;
constexpr int kRequestsPerClient = 250;
constexpr size_t kThumbnailChars = 8'000;  // base64 of a ~6 KB 175x175 JPEG
const char* const kCameras[] = {"front", "back", "side", "garage"};
const char* const kLabels[] = {"person", "car", "dog", "cat"};
constexpr double kFirstStart = 1'600'000'000.0;

std::string DatabasePath() {
  const char* env = std::getenv("CORVETTE_EVENTS_API_BENCH_DB");
  return env ? env : "/tmp/corvette-events-api-bench.db";
}

std::shared_ptr<EventStore> OpenStore() {
  auto store = std::make_shared<EventStore>(EventStore::Options{.path = DatabasePath()});
  corvette::storage::EventFilter last;
  last.after = kFirstStart + (kEvents - 1) * 30.0;
  if (store->Query(last).size() == 1) {
    return store;  // built by an earlier run
  }
  std::mt19937 random(1);
  const std::string thumbnail(kThumbnailChars, 'A');
  const std::vector<std::vector<std::string>> zones = {{}, {"yard"}, {"yard", "driveway"}};
  for (int i = 0; i < kEvents; ++i) {
    EventRecord r;
    r.start_time = kFirstStart + i * 30.0;
    r.id = std::to_string(r.start_time) + "-" + std::to_string(i);
    r.camera = kCameras[random() % 4];
    r.label = kLabels[random() % 4];
    r.end_time = r.start_time + 12;
    r.top_score = 0.8;
    r.zones = zones[random() % zones.size()];
    r.thumbnail = thumbnail;
    r.has_clip = random() % 2;
    r.has_snapshot = true;
    store->Upsert(std::move(r));
  }
  store->Flush();
  return store;
}

struct Fixture {
  std::shared_ptr<EventStore> store = OpenStore();
  corvette::http::Router router;
  Fixture() { corvette::http::AddEventRoutes(router, {store, nullptr, "/nonexistent"}); }
};

Fixture& Shared() {
  static Fixture fixture;
  return fixture;
}

enum class Case { kPolling, kDistinct, kDistinctFiltered };

std::string Target(Case c, std::mt19937& random) {
  if (c == Case::kPolling)
    return "/api/events?limit=100";
  // Anywhere in the history, so most requests need a query of their own.
  const double before = kFirstStart + static_cast<double>(random() % kEvents) * 30.0 + 0.5;
  std::string target = "/api/events?limit=100&before=" + std::to_string(before);
  if (c == Case::kDistinctFiltered) {
    target += "&camera=";
    target += kCameras[random() % 4];
    target += "&label=";
    target += kLabels[random() % 4];
  }
  return target;
}

void BM_EventsApi(benchmark::State& state, Case c) {
  Fixture& fixture = Shared();
  std::vector<double> latencies;
  for (auto _ : state) {
    std::vector<std::vector<double>> per_client(kClients);
    std::vector<std::thread> clients;
    for (int k = 0; k < kClients; ++k) {
      clients.emplace_back([&, k] {
        std::mt19937 random(100 + k);
        for (int i = 0; i < kRequestsPerClient; ++i) {
          const std::string target = Target(c, random);
          auto start = std::chrono::steady_clock::now();
          corvette::http::Response response = fixture.router.Handle("GET", target);
          auto end = std::chrono::steady_clock::now();
          if (response.status != 200 || response.BodyView().size() < 2) {
            std::fprintf(stderr, "unexpected %d for %s\n", response.status, target.c_str());
            std::abort();
          }
          per_client[k].push_back(std::chrono::duration<double, std::milli>(end - start).count());
        }
      });
    }
    for (auto& t : clients)
      t.join();
    for (auto& v : per_client)
      latencies.insert(latencies.end(), v.begin(), v.end());
  }
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) { return latencies[static_cast<size_t>(q * (latencies.size() - 1))]; };
  state.counters["p50_ms"] = at(0.50);
  state.counters["p99_ms"] = at(0.99);
  state.counters["max_ms"] = latencies.back();
  state.counters["requests"] = static_cast<double>(latencies.size());
}

BENCHMARK_CAPTURE(BM_EventsApi, Polling, Case::kPolling)->Iterations(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_EventsApi, Distinct, Case::kDistinct)->Iterations(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_EventsApi, DistinctFiltered, Case::kDistinctFiltered)
    ->Iterations(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
