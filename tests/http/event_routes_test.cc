#include "http/event_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "../events/test_support.h"
#include "events/base64.h"
#include "image/jpeg.h"
#include "image/render.h"

namespace corvette::http {
namespace {

using events::testing::Driver;
using events::testing::Record;
using events::testing::TestDir;

struct Fixture {
  TestDir dir;
  TestDir clips;
  std::shared_ptr<storage::EventStore> store;
  std::shared_ptr<EventProcessorMap> processors = std::make_shared<EventProcessorMap>();
  std::vector<storage::EventRecord> rows;
  Router router;

  Fixture() {
    store = std::make_shared<storage::EventStore>(
        storage::EventStore::Options{.path = dir.File("frigate.db")});
    events::EventProcessorOptions options;
    options.camera = "front";
    options.frame_width = 640;
    options.frame_height = 480;
    processors->emplace("front", std::make_shared<events::EventProcessor>(options));
    options.camera = "back";
    processors->emplace("back", std::make_shared<events::EventProcessor>(options));
    AddEventRoutes(router, {store, processors, clips.path()});
  }

  void Populate(int n) {
    std::mt19937 random(7);
    const char* cameras[] = {"front", "back", "side"};
    const char* labels[] = {"person", "car", "dog"};
    const std::vector<std::vector<std::string>> zones = {
        {}, {"yard"}, {"yard", "driveway"}, {"driveway"}, {"yardx"}};
    for (int i = 0; i < n; ++i) {
      storage::EventRecord r;
      r.start_time = 1000.0 + i * 10.0 + (random() % 5);
      r.id = std::to_string(r.start_time) + "-ev" + std::to_string(i);
      r.camera = cameras[random() % 3];
      r.label = labels[random() % 3];
      r.end_time = r.start_time + 5;
      r.top_score = 0.8;
      r.zones = zones[random() % zones.size()];
      r.thumbnail = events::Base64Encode(image::BlackJpeg(175, 175));
      r.has_clip = random() % 2;
      r.has_snapshot = random() % 2;
      rows.push_back(r);
      store->Upsert(r);
    }
    // One at start_time 0 (after=0 must keep it).
    storage::EventRecord zero = rows.front();
    zero.id = "0.0-zero";
    zero.start_time = 0;
    zero.end_time = 1;
    rows.push_back(zero);
    store->Upsert(zero);
    ASSERT_TRUE(store->Flush());
  }

  Response Get(const std::string& target) const { return router.Handle("GET", target); }

  // The ids /api/events answers, in order.
  std::vector<std::string> Ids(const std::string& query) const {
    Response r = Get("/api/events" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.BodyView();
    std::vector<std::string> ids;
    for (const auto& e : nlohmann::json::parse(r.BodyView()))
      ids.push_back(e["id"].get<std::string>());
    return ids;
  }

  template <typename Pred>
  std::vector<std::string> Expected(Pred pred, size_t limit = 100) const {
    std::vector<storage::EventRecord> matching;
    for (const auto& r : rows) {
      if (pred(r))
        matching.push_back(r);
    }
    std::stable_sort(matching.begin(), matching.end(),
                     [](const auto& a, const auto& b) { return a.start_time > b.start_time; });
    std::vector<std::string> ids;
    for (size_t i = 0; i < matching.size() && i < limit; ++i)
      ids.push_back(matching[i].id);
    return ids;
  }
};

bool HasZone(const storage::EventRecord& r, const std::string& zone) {
  return std::find(r.zones.begin(), r.zones.end(), zone) != r.zones.end();
}

TEST(EventRoutesTest, EveryFilterReturnsExactlyTheMatchingRowsNewestFirst) {
  Fixture f;
  f.Populate(300);
  auto all = [](const auto&) { return true; };
  EXPECT_EQ(f.Ids(""), f.Expected(all));  // default limit 100
  EXPECT_EQ(f.Ids("?limit=1000"), f.Expected(all, 1000));
  EXPECT_EQ(f.Ids("?limit=0"), std::vector<std::string>{});
  EXPECT_EQ(f.Ids("?camera=front&limit=1000"),
            f.Expected([](const auto& r) { return r.camera == "front"; }, 1000));
  EXPECT_EQ(f.Ids("?label=car&limit=1000"),
            f.Expected([](const auto& r) { return r.label == "car"; }, 1000));
  EXPECT_EQ(f.Ids("?camera=back&label=dog&limit=1000"),
            f.Expected([](const auto& r) { return r.camera == "back" && r.label == "dog"; }, 1000));
  // zone matches a whole zone name ("yard" is not "yardx").
  EXPECT_EQ(f.Ids("?zone=yard&limit=1000"),
            f.Expected([](const auto& r) { return HasZone(r, "yard"); }, 1000));
  EXPECT_EQ(f.Ids("?after=2000&before=2500.5&limit=1000"),
            f.Expected([](const auto& r) { return r.start_time >= 2000 && r.start_time <= 2500.5; },
                       1000));
  // after=0 and before=0 are honoured (0.8 ignored them).
  EXPECT_EQ(f.Ids("?after=0&limit=1000"), f.Expected(all, 1000));
  EXPECT_EQ(f.Ids("?before=0"), std::vector<std::string>{"0.0-zero"});
  EXPECT_EQ(f.Ids("?has_clip=1&limit=1000"),
            f.Expected([](const auto& r) { return r.has_clip; }, 1000));
  EXPECT_EQ(f.Ids("?has_snapshot=0&limit=1000"),
            f.Expected([](const auto& r) { return !r.has_snapshot; }, 1000));
  EXPECT_EQ(f.Ids("?has_clip=0&has_snapshot=1&camera=side&zone=driveway&limit=1000"),
            f.Expected(
                [](const auto& r) {
                  return !r.has_clip && r.has_snapshot && r.camera == "side" &&
                         HasZone(r, "driveway");
                },
                1000));
  EXPECT_EQ(f.Ids("?camera=nobody"), std::vector<std::string>{});
  // An empty camera, label or zone is no filter (0.8's `if camera:`; the web UI sends them so).
  EXPECT_EQ(f.Ids("?camera=&label=&zone=&limit=1000"), f.Expected(all, 1000));
  EXPECT_EQ(f.Ids("?camera=back&label=&limit=1000"),
            f.Expected([](const auto& r) { return r.camera == "back"; }, 1000));

  // include_thumbnails=0 drops the key; the element keys are 0.8's.
  auto with = nlohmann::json::parse(f.Get("/api/events?limit=1").BodyView());
  auto without =
      nlohmann::json::parse(f.Get("/api/events?limit=1&include_thumbnails=0").BodyView());
  ASSERT_EQ(with.size(), 1u);
  EXPECT_TRUE(with[0].contains("thumbnail"));
  EXPECT_FALSE(without[0].contains("thumbnail"));
  for (const char* key : {"camera", "end_time", "false_positive", "has_clip", "has_snapshot", "id",
                          "label", "start_time", "top_score", "zones"}) {
    EXPECT_TRUE(without[0].contains(key)) << key;
  }
}

TEST(EventRoutesTest, ValuesThatDoNotParseAre400WithAMessage) {
  Fixture f;
  for (const char* query :
       {"limit=abc", "limit=-1", "limit=10001", "limit=1.5", "after=x", "before=12abc", "after=nan",
        "has_clip=2", "has_snapshot=yes", "include_thumbnails=maybe"}) {
    Response r = f.Get(std::string("/api/events?") + query);
    EXPECT_EQ(r.status, 400) << query;
    std::string name(query, std::string_view(query).find('='));
    EXPECT_NE(std::string(r.BodyView()).find(name), std::string::npos)
        << query << ": " << r.BodyView();
  }
  EXPECT_EQ(f.Get("/api/events?limit=10000").status, 200);
  EXPECT_EQ(f.Get("/api/events/summary?has_clip=x").status, 400);
}

TEST(EventRoutesTest, SummaryGroupsByCameraLabelDayAndZones) {
  Fixture f;
  f.Populate(30);
  auto summary = nlohmann::json::parse(f.Get("/api/events/summary").BodyView());
  int total = 0;
  for (const auto& group : summary) {
    for (const char* key : {"camera", "count", "day", "label", "zones"})
      EXPECT_TRUE(group.contains(key)) << key;
    total += group["count"].get<int>();
  }
  EXPECT_EQ(total, static_cast<int>(f.rows.size()));
  auto clips = nlohmann::json::parse(f.Get("/api/events/summary?has_clip=1").BodyView());
  int with_clip = 0;
  for (const auto& group : clips)
    with_clip += group["count"].get<int>();
  EXPECT_EQ(with_clip,
            std::count_if(f.rows.begin(), f.rows.end(), [](const auto& r) { return r.has_clip; }));
}

TEST(EventRoutesTest, EventThumbnailAndSnapshotOfStoredEvents) {
  Fixture f;
  storage::EventRecord r;
  r.id = "1607123955.475377-mxklsc";
  r.camera = "front";
  r.label = "person";
  r.start_time = 1607123955.475377;
  r.end_time = 1607123961.0;
  r.top_score = 0.9;
  r.zones = {"yard"};
  const std::string thumbnail = image::BlackJpeg(175, 175);
  r.thumbnail = events::Base64Encode(thumbnail);
  r.has_snapshot = true;
  f.store->Upsert(r);
  storage::EventRecord no_snapshot = r;
  no_snapshot.id = "1607123999.0-nosnap";
  no_snapshot.has_snapshot = false;
  f.store->Upsert(no_snapshot);
  storage::EventRecord file_gone = r;
  file_gone.id = "1607124000.0-gone";
  f.store->Upsert(file_gone);
  ASSERT_TRUE(f.store->Flush());
  const std::string snapshot = image::BlackJpeg(640, 480);
  std::ofstream(f.clips.File("front-" + r.id + ".jpg"), std::ios::binary) << snapshot;

  Response event = f.Get("/api/events/" + r.id);
  ASSERT_EQ(event.status, 200);
  auto json = nlohmann::json::parse(event.BodyView());
  EXPECT_EQ(json["id"], r.id);
  EXPECT_EQ(json["zones"], nlohmann::json::array({"yard"}));
  EXPECT_EQ(json["thumbnail"], r.thumbnail);

  Response thumb = f.Get("/api/events/" + r.id + "/thumbnail.jpg");
  ASSERT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.content_type, "image/jpg");
  EXPECT_EQ(thumb.BodyView(), thumbnail);
  Response android = f.Get("/api/events/" + r.id + "/thumbnail.jpg?format=android");
  ASSERT_EQ(android.status, 200);
  image::JpegSize size = image::ReadJpegSize(android.BodyView());
  EXPECT_EQ(size.height, 175);
  EXPECT_EQ(size.width, 175 + 2 * (175 / 2));  // borders of int(w * 0.5): 2:1 as in 0.8

  // Finished: the saved file, unchanged, query options ignored.
  Response snap = f.Get("/api/events/" + r.id + "/snapshot.jpg?h=100&bbox=1");
  ASSERT_EQ(snap.status, 200);
  EXPECT_EQ(snap.BodyView(), snapshot);

  Response not_available = f.Get("/api/events/" + no_snapshot.id + "/snapshot.jpg");
  EXPECT_EQ(not_available.status, 404);
  EXPECT_EQ(not_available.BodyView(), "Snapshot not available");
  Response gone = f.Get("/api/events/" + file_gone.id + "/snapshot.jpg");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.BodyView(), "Event not found");

  for (const std::string suffix : {"", "/thumbnail.jpg", "/snapshot.jpg", "/snapshot.jpg?h=abc",
                                   "/thumbnail.jpg?format=android"}) {
    Response unknown = f.Get("/api/events/123.0-nosuch" + suffix);
    EXPECT_EQ(unknown.status, 404) << suffix;
    EXPECT_EQ(unknown.BodyView(), "Event not found") << suffix;
  }
}

TEST(EventRoutesTest, InProgressEventsAndBestImageComeFromTheProcessor) {
  Fixture f;
  events::EventProcessor& front = *f.processors->at("front");
  Driver driver(front, 640, 480);
  const double start = driver.now();
  const track::Box box{100, 100, 200, 300};
  driver.Frame({Record("live-1", "person", 0.9, box, start, start)});
  // Not yet a true positive: live thumbnail is black, no snapshot yet.
  Response early = f.Get("/api/events/live-1/thumbnail.jpg");
  ASSERT_EQ(early.status, 200);
  EXPECT_EQ(image::ReadJpegSize(early.BodyView()).height, 175);
  driver.Frame({Record("live-1", "person", 0.9, box, start + 0.2, start)});
  front.Flush();

  Response thumb = f.Get("/api/events/live-1/thumbnail.jpg?format=android");
  ASSERT_EQ(thumb.status, 200);
  image::JpegSize size = image::ReadJpegSize(thumb.BodyView());
  EXPECT_EQ(size.height, 175);
  EXPECT_EQ(size.width, 175 + 2 * (175 / 2));
  Response snap = f.Get("/api/events/live-1/snapshot.jpg?h=240&bbox=1&timestamp=1");
  ASSERT_EQ(snap.status, 200);
  EXPECT_EQ(image::ReadJpegSize(snap.BodyView()).height, 240);
  EXPECT_EQ(image::ReadJpegSize(snap.BodyView()).width, 320);
  Response cropped = f.Get("/api/events/live-1/snapshot.jpg?crop=1");
  ASSERT_EQ(cropped.status, 200);
  EXPECT_EQ(image::ReadJpegSize(cropped.BodyView()).height, 300);  // region >= 300 px
  EXPECT_EQ(f.Get("/api/events/live-1/snapshot.jpg?h=abc").status, 400);

  Response best = f.Get("/api/front/person/best.jpg");
  ASSERT_EQ(best.status, 200);
  EXPECT_EQ(image::ReadJpegSize(best.BodyView()).height, 480);
  Response best_small = f.Get("/api/front/person/best.jpg?h=120&crop=1");
  ASSERT_EQ(best_small.status, 200);
  EXPECT_EQ(image::ReadJpegSize(best_small.BodyView()).height, 120);
  // No best object of that label: black 16:9.
  Response none = f.Get("/api/front/car/best.jpg?h=360");
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(image::ReadJpegSize(none.BodyView()).width, 640);
  EXPECT_EQ(image::ReadJpegSize(none.BodyView()).height, 360);
  Response unknown = f.Get("/api/garage/person/best.jpg");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.BodyView(), "Camera named garage not found");
  EXPECT_EQ(f.Get("/api/front/person/best.jpg?h=-3").status, 400);
}

}  // namespace
}  // namespace corvette::http
