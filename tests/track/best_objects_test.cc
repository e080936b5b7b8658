#include "track/best_objects.h"

#include <gtest/gtest.h>

namespace corvette::track {
namespace {

TrackedRecord Record(const std::string& id, double t, double score, Box box, double start) {
  TrackedRecord r;
  r.id = id;
  r.label = "person";
  r.score = score;
  r.box = box;
  r.area = box.area();
  r.region = box;
  r.frame_time = t;
  r.centroid = Centroid(box);
  r.start_time = start;
  return r;
}

std::shared_ptr<CameraObjectSettings> Settings() {
  auto s = std::make_shared<CameraObjectSettings>();
  s->frame_width = 1280;
  s->frame_height = 720;
  return s;
}

TEST(BestObjectsTest, FirstTruePositiveBecomesBestThenOnlyBetterOrStale) {
  auto settings = Settings();
  BestObjects best(60.0, 1280, 720);
  const Box box{100, 100, 200, 300};
  TrackedObject a("cam", Record("a", 0.0, 0.8, box, 0.0), settings);
  EXPECT_FALSE(best.Offer(a, 0.0));  // false positive, no thumbnail
  a.Update(1.0, Record("a", 1.0, 0.8, box, 0.0));
  EXPECT_TRUE(best.Offer(a, 1.0));
  ASSERT_NE(best.Get("person"), nullptr);
  EXPECT_EQ(best.Get("person")->id, "a");
  EXPECT_EQ(best.Get("car"), nullptr);

  // Another person, thumbnail not better: not replaced.
  TrackedObject b("cam", Record("b", 2.0, 0.8, box, 2.0), settings);
  b.Update(3.0, Record("b", 3.0, 0.82, box, 2.0));
  EXPECT_FALSE(best.Offer(b, 3.0));
  EXPECT_EQ(best.Get("person")->id, "a");
  // Offered on a frame where its thumbnail was not taken: ignored.
  EXPECT_FALSE(best.Offer(b, 4.0));
  // Better score: replaced.
  b.Update(5.0, Record("b", 5.0, 0.95, box, 2.0));
  EXPECT_TRUE(best.Offer(b, 5.0));
  EXPECT_EQ(best.Get("person")->id, "b");
  EXPECT_DOUBLE_EQ(best.Get("person")->thumbnail.score, 0.95);

  // After best_image_timeout any new thumbnail replaces it.
  TrackedObject c("cam", Record("c", 70.0, 0.75, box, 70.0), settings);
  c.Update(70.2, Record("c", 70.2, 0.75, box, 70.0));
  EXPECT_DOUBLE_EQ(c.thumbnail()->frame_time, 70.2);
  EXPECT_TRUE(best.Offer(c, 70.2));
  EXPECT_EQ(best.Get("person")->id, "c");
  EXPECT_EQ(best.Get("person")->object["id"], "c");
}

}  // namespace
}  // namespace corvette::track
