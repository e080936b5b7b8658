#include "storage/event_store.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>

#include "test_dir.h"

namespace corvette::storage {
namespace {

using ::testing::ElementsAre;

EventRecord Event(const std::string& id, const std::string& camera, const std::string& label,
                  double start, std::vector<std::string> zones = {}, bool clip = false,
                  bool snapshot = false) {
  EventRecord e;
  e.id = id;
  e.camera = camera;
  e.label = label;
  e.start_time = start;
  e.end_time = start + 7.25;
  e.top_score = 0.70703125;
  e.zones = std::move(zones);
  e.thumbnail = "dGh1bWI=";
  e.has_clip = clip;
  e.has_snapshot = snapshot;
  return e;
}

std::vector<std::string> Ids(const nlohmann::json& list) {
  std::vector<std::string> ids;
  for (const auto& e : list)
    ids.push_back(e["id"]);
  return ids;
}

TEST(EventStoreTest, UpsertedEventReadsBackWithTheApiShape) {
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  EventRecord e = Event("1623643750.569992-64ji22", "front_door", "person", 1623643750.569992,
                        {"yard", "porch"}, true, false);
  e.end_time = 1623643757.837382;
  ASSERT_TRUE(store.WaitDurable(store.Upsert(e)));
  const auto got = store.Get(e.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, e);
  EXPECT_FALSE(store.Get("nope").has_value());

  const nlohmann::json list = store.Events({});
  ASSERT_EQ(list.size(), 1u);
  const nlohmann::json expected = nlohmann::json::parse(R"({"camera":"front_door",
      "end_time":1623643757.837382,"false_positive":false,"has_clip":true,"has_snapshot":false,
      "id":"1623643750.569992-64ji22","label":"person","start_time":1623643750.569992,
      "thumbnail":"dGh1bWI=","top_score":0.70703125,"zones":["yard","porch"]})");
  EXPECT_EQ(list[0], expected);
  EXPECT_EQ(list[0].dump(), expected.dump());
  // Stored as Frigate writes the zones column.
  Database db = Database::Open(dir.File("frigate.db"));
  Statement s = db.Prepare("SELECT zones, typeof(start_time) FROM event");
  ASSERT_TRUE(s.Step());
  EXPECT_EQ(s.Text(0), R"(["yard", "porch"])");
  EXPECT_EQ(s.Text(1), "real");
}

TEST(EventStoreTest, RenderedJsonEscapesLikeNlohmann) {
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  EventRecord e =
      Event("1.0-q\"uote", "cam \"x\" \\ \n\t\x01 é", "per/son", 1600000000.0, {"z\"1", "zöne"});
  e.top_score = 1e-5;
  e.end_time = 1600000012.125;
  ASSERT_TRUE(store.WaitDurable(store.Upsert(e)));
  const std::string body = *store.EventsJson({});
  EXPECT_EQ(body, store.Events({}).dump());
  const nlohmann::json parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed[0]["camera"], e.camera);
  EXPECT_EQ(parsed[0]["zones"], nlohmann::json(e.zones));
  EXPECT_EQ(parsed[0]["start_time"].dump(), "1600000000.0");
  EXPECT_EQ(*store.EventsJson({.limit = 0}), "[]");
}

TEST(EventStoreTest, RenderedNumbersMatchNlohmann) {
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  const double values[] = {
      0.0,  1.0,    0.5,  0.70703125,        1e-5,         0.0001, 0.00012,    123.456, 1e15,
      1e16, 1.5e16, -2.5, 1623643757.837382, 1600000000.0, 3e-7,   0.958984375};
  int i = 0;
  for (double v : values) {
    EventRecord e = Event(fmt::format("e{}", i), "c", "person", 100.0 - i);
    e.top_score = v;
    e.end_time = -v;
    store.Upsert(e);
    ++i;
  }
  ASSERT_TRUE(store.Flush());
  EXPECT_EQ(*store.EventsJson({}), store.Events({}).dump());
}

TEST(EventStoreTest, UpsertUpdatesInProgressRowButNotFileFlags) {
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  EventRecord e = Event("1.0-aaaaaa", "cam", "person", 1.0);
  store.Upsert(e);
  store.SetHasSnapshot(e.id, true);
  e.end_time = 30.0;
  e.top_score = 0.9;
  e.zones = {"yard"};
  e.thumbnail = "";  // keep the stored one
  e.has_snapshot = false;
  ASSERT_TRUE(store.WaitDurable(store.Upsert(e)));
  auto got = store.Get(e.id);
  ASSERT_TRUE(got);
  EXPECT_DOUBLE_EQ(got->end_time, 30.0);
  EXPECT_DOUBLE_EQ(got->top_score, 0.9);
  EXPECT_EQ(got->zones, (std::vector<std::string>{"yard"}));
  EXPECT_EQ(got->thumbnail, "dGh1bWI=");
  EXPECT_TRUE(got->has_snapshot);
  EXPECT_FALSE(got->has_clip);
  store.SetHasClip(e.id, true);
  store.Delete("1.0-unknown");
  ASSERT_TRUE(store.Flush());
  EXPECT_TRUE(store.Get(e.id)->has_clip);
  ASSERT_TRUE(store.WaitDurable(store.Delete(e.id)));
  EXPECT_FALSE(store.Get(e.id));
}

class EventFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<EventStore>(EventStore::Options{.path = dir_.File("frigate.db")});
    const std::vector<std::string> cameras{"front", "back", "side"};
    const std::vector<std::string> labels{"person", "car", "dog"};
    const std::vector<std::vector<std::string>> zone_sets{
        {}, {"yard"}, {"front_yard"}, {"yard", "driveway"}, {"driveway"}, {"my yard"}};
    std::mt19937 random(7);
    for (int i = 0; i < 300; ++i) {
      EventRecord e = Event(fmt::format("{}.5-{:06d}", 1600000000 + i * 37, i),
                            cameras[random() % 3], labels[random() % 3], 1600000000.5 + i * 37.0,
                            zone_sets[random() % zone_sets.size()], random() % 2, random() % 2);
      rows_.push_back(e);
      store_->Upsert(e);
    }
    // One event before the epoch, so after=0 differs from no filter.
    rows_.push_back(Event("-5.0-negati", "front", "person", -5.0, {"yard"}));
    store_->Upsert(rows_.back());
    ASSERT_TRUE(store_->Flush());
  }

  // The expected ids: brute force over rows_, newest first.
  std::vector<std::string> Expected(const EventFilter& f) const {
    std::vector<EventRecord> match;
    for (const EventRecord& e : rows_) {
      if (f.camera && e.camera != *f.camera)
        continue;
      if (f.label && e.label != *f.label)
        continue;
      if (f.after && !(e.start_time >= *f.after))
        continue;
      if (f.before && !(e.start_time <= *f.before))
        continue;
      if (f.zone && std::find(e.zones.begin(), e.zones.end(), *f.zone) == e.zones.end())
        continue;
      if (f.has_clip && e.has_clip != *f.has_clip)
        continue;
      if (f.has_snapshot && e.has_snapshot != *f.has_snapshot)
        continue;
      match.push_back(e);
    }
    std::sort(match.begin(), match.end(), [](const EventRecord& a, const EventRecord& b) {
      return a.start_time > b.start_time;
    });
    if (match.size() > static_cast<size_t>(f.limit))
      match.resize(f.limit);
    std::vector<std::string> ids;
    for (const auto& e : match)
      ids.push_back(e.id);
    return ids;
  }

  void Check(const EventFilter& f) {
    const nlohmann::json got = store_->Events(f);
    EXPECT_EQ(Ids(got), Expected(f));
    // The rendered body is the same document, byte for byte.
    EXPECT_EQ(*store_->EventsJson(f), got.dump());
  }

  testing::TestDir dir_;
  std::unique_ptr<EventStore> store_;
  std::vector<EventRecord> rows_;
};

TEST_F(EventFilterTest, DefaultIsTheNewestHundred) {
  const nlohmann::json got = store_->Events({});
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got[0]["id"], rows_[299].id);
  Check({});
}

TEST_F(EventFilterTest, EachFilterReturnsExactlyTheMatchingRows) {
  for (const char* camera : {"front", "back", "nowhere"})
    Check({.camera = camera, .limit = 10000});
  for (const char* label : {"person", "dog", "cat"})
    Check({.label = label, .limit = 10000});
  Check({.camera = "front", .label = "car", .limit = 10000});
  for (double t : {1600000000.5 + 37 * 10, 1600000000.5 + 37 * 150 + 1, 1600000000.0}) {
    Check({.after = t, .limit = 10000});
    Check({.before = t, .limit = 10000});
    Check({.before = t + 3700, .after = t, .limit = 10000});
  }
  for (const char* zone : {"yard", "front_yard", "driveway", "my yard", "ard", "none"}) {
    Check({.zone = zone, .limit = 10000});
  }
  for (bool v : {true, false}) {
    Check({.has_clip = v, .limit = 10000});
    Check({.has_snapshot = v, .limit = 10000});
    Check({.has_clip = !v, .has_snapshot = v, .limit = 10000});
  }
  Check({.camera = "back", .zone = "yard", .has_clip = true, .limit = 10000});
  for (int limit : {0, 1, 5, 10000})
    Check({.camera = "side", .limit = limit});
}

TEST_F(EventFilterTest, ZeroTimesAreHonoured) {
  // 0.8 ignores after=0 and before=0; here they filter.
  const nlohmann::json after0 = store_->Events({.after = 0.0, .limit = 10000});
  EXPECT_EQ(after0.size(), 300u);  // not the one before the epoch
  const nlohmann::json before0 = store_->Events({.before = 0.0, .limit = 10000});
  EXPECT_THAT(Ids(before0), ElementsAre("-5.0-negati"));
}

TEST_F(EventFilterTest, ZoneMatchesWholeNamesOnly) {
  for (const auto& e : store_->Events({.zone = "yard", .limit = 10000})) {
    const auto zones = e["zones"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(zones.begin(), zones.end(), "yard"), zones.end()) << e.dump();
  }
  EXPECT_TRUE(store_->Events({.zone = "ard"}).empty());
  EXPECT_TRUE(store_->Events({.zone = "\"yard\""}).empty());
  EXPECT_TRUE(store_->Events({.zone = "*"}).empty());
}

TEST_F(EventFilterTest, IncludeThumbnailsZeroRemovesTheKey) {
  const nlohmann::json with = store_->Events({.limit = 3});
  const nlohmann::json without = store_->Events({.include_thumbnails = false, .limit = 3});
  ASSERT_EQ(without.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(with[i]["thumbnail"], "dGh1bWI=");
    EXPECT_FALSE(without[i].contains("thumbnail"));
    EXPECT_EQ(without[i].size(), 10u);
    nlohmann::json stripped = with[i];
    stripped.erase("thumbnail");
    EXPECT_EQ(stripped, without[i]);
  }
}

TEST_F(EventFilterTest, LimitOutOfRangeIsRejected) {
  EXPECT_THROW(store_->Events({.limit = -1}), std::invalid_argument);
  EXPECT_THROW(store_->Events({.limit = 10001}), std::invalid_argument);
  EXPECT_THROW(store_->EventsJson({.limit = 10001}), std::invalid_argument);
}

TEST_F(EventFilterTest, RenderedBodiesAreSharedUntilTheNextWrite) {
  const auto a = store_->EventsJson({.camera = "front"});
  const auto b = store_->EventsJson({.camera = "front"});
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(store_->EventsJson({.camera = "back"}).get(), a.get());
  const auto summary = store_->SummaryJson();
  EXPECT_EQ(*summary, store_->Summary().dump());
  EXPECT_EQ(store_->SummaryJson().get(), summary.get());

  EventRecord newest = Event("9999999999.0-newest", "front", "person", 9999999999.0);
  ASSERT_TRUE(store_->WaitDurable(store_->Upsert(newest)));
  const auto c = store_->EventsJson({.camera = "front"});
  EXPECT_NE(*c, *a);
  EXPECT_EQ(nlohmann::json::parse(*c)[0]["id"], "9999999999.0-newest");
  EXPECT_NE(*store_->SummaryJson(), *summary);
}

TEST(EventStoreSummaryTest, GroupsByCameraLabelLocalDayAndZones) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  const double day1 = 1623628800.0;  // 2021-06-14T00:00:00Z
  const double day2 = day1 + 86400;
  store.Upsert(Event("a", "front", "person", day1 + 10, {"yard"}, true, true));
  store.Upsert(Event("b", "front", "person", day1 + 20, {"yard"}, false, true));
  store.Upsert(Event("c", "front", "person", day1 + 30, {"yard", "porch"}, true, true));
  store.Upsert(Event("d", "front", "person", day2 + 10, {"yard"}, true, true));
  store.Upsert(Event("e", "front", "car", day1 + 10, {}, true, false));
  store.Upsert(Event("f", "back", "person", day1 + 10, {"yard"}, true, true));
  ASSERT_TRUE(store.Flush());

  auto key = [](const nlohmann::json& row) {
    return fmt::format("{}|{}|{}|{}", row["camera"].get<std::string>(),
                       row["label"].get<std::string>(), row["day"].get<std::string>(),
                       row["zones"].dump());
  };
  auto summarise = [&](const nlohmann::json& list) {
    std::map<std::string, int> counts;
    for (const auto& row : list) {
      EXPECT_EQ(row.size(), 5u);
      counts[key(row)] = row["count"];
    }
    return counts;
  };
  EXPECT_EQ(summarise(store.Summary()), (std::map<std::string, int>{
                                            {R"(back|person|2021-06-14|["yard"])", 1},
                                            {R"(front|car|2021-06-14|[])", 1},
                                            {R"(front|person|2021-06-14|["yard","porch"])", 1},
                                            {R"(front|person|2021-06-14|["yard"])", 2},
                                            {R"(front|person|2021-06-15|["yard"])", 1},
                                        }));
  EXPECT_EQ(summarise(store.Summary(true, std::nullopt)),
            (std::map<std::string, int>{
                {R"(back|person|2021-06-14|["yard"])", 1},
                {R"(front|car|2021-06-14|[])", 1},
                {R"(front|person|2021-06-14|["yard","porch"])", 1},
                {R"(front|person|2021-06-14|["yard"])", 1},
                {R"(front|person|2021-06-15|["yard"])", 1},
            }));
  EXPECT_EQ(summarise(store.Summary(std::nullopt, false)),
            (std::map<std::string, int>{{R"(front|car|2021-06-14|[])", 1}}));
  EXPECT_TRUE(store.Summary(false, false).empty());
}

TEST(EventStoreSummaryTest, LocalDaysMatchSqlitesLocaltimeAcrossDst) {
  ::setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
  ::tzset();
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  // Hourly events over the spring and autumn changes of 2021, plus a spread over a year.
  std::vector<double> times;
  for (double t = 1615600000; t < 1615600000 + 4 * 86400; t += 1800)
    times.push_back(t);
  for (double t = 1636000000; t < 1636000000 + 4 * 86400; t += 1800)
    times.push_back(t + 0.75);
  for (int i = 0; i < 400; ++i)
    times.push_back(1609459200.0 + i * 86400.0 * 0.91 + i);
  int i = 0;
  for (double t : times) {
    store.Upsert(Event(fmt::format("e{}", i), i % 3 ? "a" : "b", i % 2 ? "person" : "car", t,
                       i % 5 ? std::vector<std::string>{"yard"} : std::vector<std::string>{}));
    ++i;
  }
  ASSERT_TRUE(store.Flush());
  std::map<std::string, std::int64_t> expected;
  {
    Database db = Database::Open(dir.File("frigate.db"));
    Statement s = db.Prepare(
        "SELECT camera, label, strftime('%Y-%m-%d', datetime(start_time, 'unixepoch', "
        "'localtime')) AS day, zones, COUNT(id) FROM event GROUP BY camera, label, day, zones");
    while (s.Step()) {
      expected[fmt::format("{}|{}|{}|{}", s.Text(0), s.Text(1), s.Text(2),
                           nlohmann::json::parse(s.Text(3)).dump())] = s.Int64(4);
    }
  }
  std::map<std::string, std::int64_t> got;
  for (const auto& row : store.Summary()) {
    got[fmt::format("{}|{}|{}|{}", row["camera"].get<std::string>(),
                    row["label"].get<std::string>(), row["day"].get<std::string>(),
                    row["zones"].dump())] = row["count"].get<std::int64_t>();
  }
  EXPECT_GT(expected.size(), 100u);
  EXPECT_EQ(got, expected);
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

TEST(EventStoreTest, FailedWriteIsReportedAndOthersInItsBatchLand) {
  testing::TestDir dir;
  {
    Database db = Database::Open(dir.File("frigate.db"));
    Migrate(db);
    db.Exec(R"(CREATE TRIGGER reject BEFORE INSERT ON "event" WHEN NEW.id = 'bad'
               BEGIN SELECT RAISE(ABORT, 'rejected by test'); END;)");
  }
  EventStore store({.path = dir.File("frigate.db")});
  std::vector<EventStore::Ticket> tickets;
  for (const char* id : {"good1", "bad", "good2"}) {
    tickets.push_back(store.Upsert(Event(id, "c", "person", 1.0)));
  }
  EXPECT_TRUE(store.WaitDurable(tickets[0]));
  EXPECT_FALSE(store.WaitDurable(tickets[1]));
  EXPECT_TRUE(store.WaitDurable(tickets[2]));
  EXPECT_TRUE(store.Get("good1"));
  EXPECT_TRUE(store.Get("good2"));
  EXPECT_FALSE(store.Get("bad"));
  EXPECT_EQ(store.counters().failed, 1u);
  EXPECT_TRUE(store.Flush());  // no failure among writes queued since
}

TEST(EventStoreTest, ConcurrentReadersWhileTheWriterWrites) {
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db"), .queue_capacity = 64, .batch_size = 16});
  constexpr int kEvents = 1500;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::atomic<int> queries{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) {
    readers.emplace_back([&, r] {
      size_t last_count = 0;
      while (!done.load()) {
        try {
          const nlohmann::json list =
              store.Events({.camera = r % 2 ? std::optional<std::string>("cam") : std::nullopt,
                            .include_thumbnails = r % 3 == 0,
                            .limit = 10000});
          // Newest first, and never fewer rows than before (rows are only added).
          for (size_t i = 1; i < list.size(); ++i) {
            if (list[i - 1]["start_time"].get<double>() < list[i]["start_time"].get<double>()) {
              ++errors;
            }
          }
          if (list.size() < last_count)
            ++errors;
          last_count = list.size();
          store.Summary();
          ++queries;
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++errors;
        }
      }
    });
  }
  EventStore::Ticket last = 0;
  for (int i = 0; i < kEvents; ++i) {
    last =
        store.Upsert(Event(fmt::format("{}.0-{:06d}", 1000 + i, i), "cam", "person", 1000.0 + i));
  }
  EXPECT_TRUE(store.WaitDurable(last));
  done = true;
  for (auto& t : readers)
    t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(queries.load(), 0);
  EXPECT_EQ(store.Events({.limit = 10000}).size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(store.counters().applied, static_cast<uint64_t>(kEvents));
}

TEST(EventStoreTest, DestructorAppliesQueuedWrites) {
  testing::TestDir dir;
  {
    EventStore store({.path = dir.File("frigate.db")});
    for (int i = 0; i < 200; ++i)
      store.Upsert(Event(fmt::format("e{}", i), "c", "person", i));
  }
  EventStore reopened({.path = dir.File("frigate.db")});
  EXPECT_EQ(reopened.Events({.limit = 10000}).size(), 200u);
}

TEST(EventStoreTest, SurvivesKillDashNineOfTheWritingProcess) {
  testing::TestDir dir;
  const std::string path = dir.File("frigate.db");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    try {
      EventStore store({.path = path});
      for (int i = 0;; ++i) {
        const auto ticket =
            store.Upsert(Event(fmt::format("{}.0-{:06d}", 1000 + i, i), "c", "person", 1000.0 + i));
        if (i == 99) {
          store.WaitDurable(ticket);
          const char byte = 1;
          (void)!::write(ready[1], &byte, 1);  // 100 rows are durable; keep writing until killed
        }
      }
    } catch (...) {
    }
    ::_exit(3);
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  EventStore store({.path = path});
  {
    Database db = Database::Open(path);
    Statement check = db.Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.Step());
    EXPECT_EQ(check.Text(0), "ok");
  }
  const auto rows = store.Query({.limit = 10000});
  EXPECT_GE(rows.size(), 100u);
  // Every durable row is complete and the survivors are a prefix of what was written.
  for (int i = 0; i < 100; ++i) {
    auto e = store.Get(fmt::format("{}.0-{:06d}", 1000 + i, i));
    ASSERT_TRUE(e) << i;
    EXPECT_EQ(e->thumbnail, "dGh1bWI=");
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const int n = static_cast<int>(rows.size() - 1 - i);
    EXPECT_EQ(rows[i].id, fmt::format("{}.0-{:06d}", 1000 + n, n));
  }
  // And it keeps working.
  EXPECT_TRUE(store.WaitDurable(store.Upsert(Event("after", "c", "person", 1.0))));
}

}  // namespace
}  // namespace corvette::storage
