#include "track/camera_objects.h"

#include <gtest/gtest.h>

#include <vector>

namespace corvette::track {
namespace {

const Box kFullFrame{0, 0, 1280, 720};

Detection Person(int cx, int bottom, double score) {
  Detection d;
  d.label = "person";
  d.score = score;
  d.box = Box{cx - 40, bottom - 200, cx + 40, bottom};
  d.area = d.box.area();
  d.region = Box{0, 0, 640, 640};
  return d;
}

CameraObjectsOptions Options() {
  auto settings = std::make_shared<CameraObjectSettings>();
  settings->frame_width = 1280;
  settings->frame_height = 720;
  settings->zones = {Zone{"yard", {{0, 0}, {640, 0}, {640, 720}, {0, 720}}, {}}};
  CameraObjectsOptions options;
  options.camera = "front";
  options.settings = settings;
  options.tracker.seed = 5;
  options.tracker.max_disappeared = 2;
  return options;
}

TEST(CameraObjectsTest, LifecycleOfOnePerson) {
  CameraObjects camera(Options());
  FrameOutcome out;
  double t = 1000.0;
  camera.Update(t, std::vector<Detection>{Person(300, 500, 0.9)}, {&kFullFrame, 1}, out);
  ASSERT_EQ(out.started.size(), 1u);
  const std::string id = out.started[0];
  EXPECT_TRUE(out.messages.empty());
  EXPECT_TRUE(camera.CountByLabel().empty());  // not yet a true positive

  t += 0.2;
  camera.Update(t, std::vector<Detection>{Person(305, 500, 0.9)}, {&kFullFrame, 1}, out);
  EXPECT_EQ(out.became_true_positive, std::vector<std::string>{id});
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].type, "new");
  EXPECT_EQ(out.messages[0].after["current_zones"], nlohmann::json::array({"yard"}));
  EXPECT_TRUE(out.frame_is_thumbnail);
  EXPECT_EQ(out.best_changed, std::vector<std::string>{"person"});
  EXPECT_EQ(camera.CountByLabel().at("person"), 1);
  EXPECT_EQ((camera.CountByZoneAndLabel().at({"yard", "person"})), 1);
  EXPECT_EQ(camera.ReferencedFrameTimes(), std::vector<double>{t});

  // Walks out of the yard: a significant update, published after the 5 s window.
  int updates = 0;
  for (int i = 1; i <= 30; ++i) {
    t += 0.2;
    camera.Update(t, std::vector<Detection>{Person(305 + 20 * i, 500, 0.9)}, {&kFullFrame, 1}, out);
    for (const EventMessage& m : out.messages) {
      EXPECT_EQ(m.type, "update");
      EXPECT_GT(t - 1000.2, 5.0);
      ++updates;
    }
  }
  EXPECT_EQ(updates, 1);
  const double seen_last = t;
  EXPECT_TRUE(camera.objects().at(id).current_zones().empty());
  EXPECT_EQ(camera.objects().at(id).entered_zones(), std::vector<std::string>{"yard"});

  // Gone: ends on the 3rd examined miss with end_time = last seen.
  for (int i = 0; i < 3; ++i) {
    t += 0.2;
    camera.Update(t, {}, {&kFullFrame, 1}, out);
  }
  ASSERT_EQ(out.ended.size(), 1u);
  EXPECT_EQ(out.ended[0].id(), id);
  EXPECT_DOUBLE_EQ(*out.ended[0].end_time(), seen_last);
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].type, "end");
  EXPECT_DOUBLE_EQ(out.messages[0].after["end_time"].get<double>(), seen_last);
  EXPECT_TRUE(camera.objects().empty());
  EXPECT_TRUE(camera.CountByLabel().empty());
  // The best object stays (§7.3) and keeps its frame referenced.
  ASSERT_NE(camera.best().Get("person"), nullptr);
  EXPECT_EQ(camera.best().Get("person")->id, id);
  EXPECT_EQ(camera.ReferencedFrameTimes().size(), 1u);
}

TEST(CameraObjectsTest, FalsePositiveEndsSilently) {
  CameraObjects camera(Options());
  FrameOutcome out;
  camera.Update(1.0, std::vector<Detection>{Person(300, 500, 0.5)}, {&kFullFrame, 1}, out);
  camera.Update(1.2, std::vector<Detection>{Person(300, 500, 0.5)}, {&kFullFrame, 1}, out);
  EXPECT_TRUE(out.messages.empty());
  EXPECT_FALSE(out.frame_is_thumbnail);
  for (int i = 0; i < 3; ++i)
    camera.Update(1.4 + i * 0.2, {}, {&kFullFrame, 1}, out);
  ASSERT_EQ(out.ended.size(), 1u);
  EXPECT_TRUE(out.ended[0].false_positive());
  EXPECT_TRUE(out.messages.empty());
  EXPECT_TRUE(camera.ReferencedFrameTimes().empty());
}

}  // namespace
}  // namespace corvette::track
