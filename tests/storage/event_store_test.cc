#include "storage/event_store.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <set>
#include <string_view>
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
      "id":"1623643750.569992-64ji22","in_progress":false,"label":"person",
      "start_time":1623643750.569992,"thumbnail":"dGh1bWI=","top_score":0.70703125,"zones":["yard","porch"]})");
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

TEST(EventStoreTest, ZoneNamesThatAreNotUtf8AreStoredWithReplacementCharacters) {
  EXPECT_EQ(ZonesToJsonText({"yard", "z\xffne"}), R"(["yard", "z\ufffdne"])");
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  EventRecord e = Event("1.0-bad", "c", "person", 1.0, {"z\xffne"});
  ASSERT_TRUE(store.WaitDurable(store.Upsert(e)));  // used to end the process
  EXPECT_THAT(store.Get(e.id)->zones, ElementsAre("z\xef\xbf\xbdne"));
}

TEST(EventStoreTest, InProgressIsStoredAndOpeningTheStoreEndsWhatAStopLeftInProgress) {
  testing::TestDir dir;
  EventRecord running = Event("2.0-runnin", "cam", "person", 2.0);
  running.in_progress = true;
  running.end_time = 9.5;
  EventRecord ended = Event("1.0-ended0", "cam", "person", 1.0);
  {
    EventStore store({.path = dir.File("frigate.db")});
    store.Upsert(ended);
    ASSERT_TRUE(store.WaitDurable(store.Upsert(running)));
    EXPECT_TRUE(store.Get(running.id)->in_progress);
    EXPECT_FALSE(store.Get(ended.id)->in_progress);
    const nlohmann::json list = store.Events({});
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["in_progress"], true);
    EXPECT_EQ(list[0]["end_time"], 9.5);  // numeric while in progress (Home Assistant needs it)
    EXPECT_EQ(list[1]["in_progress"], false);
    EXPECT_NE(store.EventsJson({})->find(R"("id":"2.0-runnin","in_progress":true)"),
              std::string::npos);
  }
  // The process that tracked it is gone: the next store ends it, keeping its last sighting.
  EventStore reopened({.path = dir.File("frigate.db")});
  const auto got = reopened.Get(running.id);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->in_progress);
  EXPECT_DOUBLE_EQ(got->end_time, 9.5);
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
    EXPECT_EQ(without[i].size(), 11u);
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

TEST(EventStoreTest, MoreThreadsThanReaderConnectionsAreAllServed) {
  // 12 threads share 2 connections, each handed to the oldest waiter; none is lost or starved.
  testing::TestDir dir;
  EventStore store({.path = dir.File("frigate.db"), .readers = 2});
  for (int i = 0; i < 50; ++i)
    store.Upsert(Event(fmt::format("{}.0-r{}", 1000 + i, i), i % 2 ? "front" : "back", "person",
                       1000.0 + i));
  ASSERT_TRUE(store.Flush());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const int limit = 1 + (t * 40 + i) % 50;  // mostly distinct, so mostly rendered
        const nlohmann::json list = nlohmann::json::parse(*store.EventsJson({.limit = limit}));
        if (list.size() != static_cast<size_t>(limit) || list[0]["id"] != "1049.0-r49")
          ++wrong;
        if (!store.Get(fmt::format("{}.0-r{}", 1000 + i, i)))
          ++wrong;
        if (store.Query({.camera = "front", .limit = 100}).size() != 25u)
          ++wrong;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(wrong.load(), 0);
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

// ---------------------------------------------------------------------------------------------
// The /api/events renderer as it was before it was made faster (commit 2f93ee4), frozen here as
// the reference for the wire format: EventsJson must keep producing these bytes exactly.
namespace legacy {

size_t FindEscape(std::string_view text, size_t from) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    const std::uint64_t flags =
        ((word - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes)) & ~word & kHighs;
    if (flags)
      break;
  }
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
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
  const size_t e_pos = text.find('e');
  const int exponent = std::atoi(std::string(text.substr(e_pos + 1)).c_str());
  std::string digits;
  for (char c : text.substr(0, e_pos)) {
    if (c != '.')
      digits += c;
  }
  const int len = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (len <= n && n <= 15) {
    out += digits;
    out.append(static_cast<size_t>(n - len), '0');
    out += ".0";
  } else if (0 < n && n <= 15) {
    out.append(digits, 0, static_cast<size_t>(n));
    out += '.';
    out.append(digits, static_cast<size_t>(n));
  } else if (-4 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += text;
  }
}

// The old EventsJson for filters using camera, label, before, include_thumbnails and limit,
// reading the file on a connection of its own.
std::string EventsJson(const std::string& path, const EventFilter& filter) {
  std::string sql = fmt::format(
      "SELECT id, label, camera, start_time, end_time, top_score, false_positive, zones, {}, "
      "has_clip, has_snapshot, in_progress FROM \"event\" WHERE 1",
      filter.include_thumbnails ? "thumbnail" : "''");
  if (filter.camera)
    sql += " AND camera = ?";
  if (filter.label)
    sql += " AND label = ?";
  if (filter.before)
    sql += " AND start_time <= ?";
  sql += " ORDER BY start_time DESC LIMIT ?";
  Database db = Database::Open(path, OpenOptions{.read_only = true});
  Statement s = db.Prepare(sql);
  int index = 1;
  if (filter.camera)
    s.Bind(index++, *filter.camera);
  if (filter.label)
    s.Bind(index++, *filter.label);
  if (filter.before)
    s.Bind(index++, *filter.before);
  s.Bind(index, filter.limit);
  std::string out = "[";
  bool first = true;
  while (s.Step()) {
    out += first ? "{" : ",{";
    first = false;
    out += "\"camera\":";
    AppendJsonString(out, s.Text(2));
    out += ",\"end_time\":";
    AppendJsonDouble(out, s.Double(4));
    out += s.Int64(6) ? ",\"false_positive\":true" : ",\"false_positive\":false";
    out += s.Int64(9) ? ",\"has_clip\":true" : ",\"has_clip\":false";
    out += s.Int64(10) ? ",\"has_snapshot\":true" : ",\"has_snapshot\":false";
    out += ",\"id\":";
    AppendJsonString(out, s.Text(0));
    out += s.Int64(11) ? ",\"in_progress\":true" : ",\"in_progress\":false";
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
    nlohmann::json zones = nlohmann::json::parse(s.Text(7), nullptr, false);
    nlohmann::json strings = nlohmann::json::array();
    if (zones.is_array()) {
      for (const auto& zone : zones) {
        if (zone.is_string())
          strings.push_back(zone);
      }
    }
    out += strings.dump();
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace legacy

// Varied rows: text with quotes, backslashes, control characters, DEL, multi-byte and invalid
// UTF-8; thumbnails of many lengths with the odd character to escape at any offset; numbers of
// every magnitude; and rows written by other programs (NULL flags, zones that are not a list of
// strings, numbers stored as integers).
class EventsJsonWireFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<EventStore>(EventStore::Options{.path = dir_.File("frigate.db")});
    std::mt19937 random(5);
    auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
    const std::vector<std::string> pieces = {
        "a",   "Z",  "0",      " ",    "\"",   "\\",   "/",    "\n",   "\t",   "\r",
        "\b",  "\f", "\x01",   "\x1f", "\x7f", "é",    "日本", "😀",    "\xff", "'",
        "<b>", "&",  "\u2028", "\x80", "~",    "yard", "-",    "\x19", "\x20", "\xc3"};
    auto text = [&](size_t max_pieces, bool valid_utf8 = false) {
      std::string s;
      for (size_t n = pick(max_pieces + 1); n > 0; --n) {
        const std::string& piece = pieces[pick(pieces.size())];
        if (!valid_utf8 || !(piece == "\xff" || piece == "\x80" || piece == "\xc3"))
          s += piece;
      }
      return s;
    };
    const std::string base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto number = [&]() -> double {
      switch (pick(8)) {
        case 0:
          return 0.0;
        case 1:
          return static_cast<double>(random() % 2000000000);  // whole
        case 2:
          return 1600000000.0 + (random() % 100000000) / 1e6;  // frame times
        case 3:
          return (random() % 1024) / 1024.0;  // scores
        case 4:
          return -static_cast<double>(random()) * std::pow(10.0, static_cast<int>(pick(40)) - 20);
        case 5:
          return std::ldexp(static_cast<double>(random()), static_cast<int>(pick(200)) - 100);
        case 6:
          return std::pow(10.0, static_cast<int>(pick(41)) - 20);
        default:
          return std::uniform_real_distribution<double>(-1e6, 1e6)(random);
      }
    };
    std::set<double> starts;
    for (int i = 0; i < 400; ++i) {
      EventRecord e;
      e.id = fmt::format("{}-{}", i, text(4));
      e.camera = i % 3 == 0 ? "front" : text(6);
      e.label = i % 2 == 0 ? "person" : text(3);
      do {
        e.start_time = number();
      } while (!starts.insert(e.start_time).second);
      e.end_time = number();
      e.top_score = number();
      e.false_positive = pick(2);
      for (size_t n = pick(4); n > 0; --n)
        e.zones.push_back(text(5, /*valid_utf8=*/true));  // Upsert writes them as JSON
      const size_t length = pick(4) == 0 ? pick(40) : 7000 + pick(2000);
      for (size_t k = 0; k < length; ++k)
        e.thumbnail += base64[pick(base64.size())];
      if (!e.thumbnail.empty() && pick(3) == 0) {
        for (size_t n = 1 + pick(3); n > 0; --n) {
          const size_t at = pick(4) == 0 ? pick(std::min<size_t>(e.thumbnail.size(), 80))
                                         : pick(e.thumbnail.size());
          e.thumbnail[at] = "\"\\\n\x01\x1f"[pick(5)];
        }
      }
      e.has_clip = pick(2);
      e.has_snapshot = pick(2);
      e.in_progress = pick(2);
      store_->Upsert(std::move(e));
    }
    ASSERT_TRUE(store_->Flush());
    // Rows as other programs may have left them (read before the store renders anything, so no
    // rendering is cached).
    Database db = Database::Open(dir_.File("frigate.db"));
    db.Exec(R"sql(
      INSERT INTO "event" (id, label, camera, start_time, end_time, top_score, false_positive,
                           zones, thumbnail, has_clip, has_snapshot) VALUES
        ('null-flags', 'person', 'front', -7.5, 3, 1, 0, '["yard"]', 'QUJD', NULL, NULL),
        ('bad-zones', 'person', 'front', 1e-300, -1.018685371e19, 0.5, 1, 'not json', '', 1, 0),
        ('odd-zones', 'person', 'front', 3e21, 12345678901234567, 0.1, 0,
         '[1, "a", null, ["b"], "\u00e9\"", {"c": 2}]', 'x"y', 0, 1),
        ('object-zones', 'person', 'front', 42, 42.0, 1e16, 2, '{"yard": 1}', 'QQ==', 2, 3),
        ('text-numbers', 'person', 'front', '77.5', '78', '0.75', '1', '[]', 'QQ==', '1', '0');
    )sql");
  }

  void Check(const EventFilter& f) {
    EXPECT_EQ(*store_->EventsJson(f), legacy::EventsJson(dir_.File("frigate.db"), f))
        << "camera " << f.camera.value_or("-") << " label " << f.label.value_or("-");
  }

  testing::TestDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventsJsonWireFormatTest, BytesMatchTheFormerRenderer) {
  Check({.limit = 10000});
  Check({.include_thumbnails = false, .limit = 10000});
  Check({});
  Check({.limit = 1});
  Check({.limit = 0});
  Check({.camera = "front", .limit = 10000});
  Check({.camera = "front", .label = "person", .limit = 10000});
  Check({.camera = "front", .label = "person", .include_thumbnails = false, .limit = 37});
  Check({.label = "person", .limit = 10000});
  Check({.before = 1600000050.0, .limit = 10000});
  Check({.before = 1600000050.0, .camera = "front", .label = "person", .limit = 100});
  // Not a vacuous comparison: the document holds what it should.
  const std::string body = *store_->EventsJson({.limit = 10000});
  EXPECT_GT(body.size(), 100u * 7000u);
  EXPECT_NE(
      body.find(R"("id":"null-flags","in_progress":false,"label":"person","start_time":-7.5)"),
      std::string::npos);
  EXPECT_NE(body.find(R"("has_clip":false,"has_snapshot":false,"id":"null-flags")"),
            std::string::npos);
  EXPECT_NE(body.find(R"("thumbnail":"x\"y","top_score":0.1,"zones":["a","é\""]})"),
            std::string::npos);
  EXPECT_NE(body.find(R"("start_time":3e+21)"), std::string::npos);
  EXPECT_NE(body.find(R"("end_time":1.2345678901234568e+16)"), std::string::npos);
  EXPECT_NE(body.find(R"("start_time":1e-300)"), std::string::npos);
  // The shortest text that reads back as the same double, as Python (Frigate) prints it; nlohmann
  // would print -1.0186853710000001e+19.
  EXPECT_NE(body.find(R"("end_time":-1.018685371e+19)"), std::string::npos);
  EXPECT_NE(body.find(R"(\\)"), std::string::npos);
  EXPECT_NE(body.find(R"(\u0001)"), std::string::npos);
  EXPECT_NE(body.find("\xff"), std::string::npos);  // invalid UTF-8 passes through as before
}

}  // namespace
}  // namespace corvette::storage
