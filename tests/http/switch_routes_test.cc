#include "http/switch_routes.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

namespace corvette::http {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

class SwitchRoutesTest : public testing::Test {
 protected:
  SwitchRoutesTest() {
    switches_["front"] = {true, true, true};
    AddSwitchRoutes(router_,
                    {
                        [this](const std::string& camera) -> std::optional<CameraSwitches> {
                          auto it = switches_.find(camera);
                          if (it == switches_.end())
                            return std::nullopt;
                          return it->second;
                        },
                        [this](const std::string& camera, std::string_view feature, bool enabled) {
                          ++sets_;
                          CameraSwitches& s = switches_.at(camera);
                          (feature == "detect"  ? s.detect
                           : feature == "clips" ? s.clips
                                                : s.snapshots) = enabled;
                          return s;
                        },
                    });
  }
  Response Post(std::string_view target, std::string body, Headers headers = {}) {
    return router_.Handle("POST", target, std::move(headers), std::move(body));
  }

  Router router_;
  std::map<std::string, CameraSwitches> switches_;
  int sets_ = 0;
};

TEST_F(SwitchRoutesTest, OnAndOffChangeTheSwitchAndAnswerTheSwitchesAfterwards) {
  Response off = Post("/api/front/detect/set", "OFF");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(nlohmann::json::parse(off.body),
            (nlohmann::json{{"detect", false}, {"clips", true}, {"snapshots", true}}));
  EXPECT_FALSE(switches_["front"].detect);

  Response on = Post("/api/front/snapshots/set", " ON\n");
  ASSERT_EQ(on.status, 200) << on.body;
  Post("/api/front/clips/set", "OFF");
  EXPECT_EQ(nlohmann::json::parse(Post("/api/front/clips/set", "OFF").body)["clips"], false);
  EXPECT_EQ(sets_, 4);
}

TEST_F(SwitchRoutesTest, UnknownCameraOrSwitchIs404AndABadBodyIs400) {
  Response camera = Post("/api/back/detect/set", "ON");
  EXPECT_EQ(camera.status, 404);
  EXPECT_EQ(camera.body, "Camera named back not found");
  EXPECT_EQ(Post("/api/front/motion/set", "ON").status, 404);
  Response body = Post("/api/front/detect/set", "on");
  EXPECT_EQ(body.status, 400);
  EXPECT_EQ(body.body, "body: must be ON or OFF");
  EXPECT_EQ(Post("/api/front/detect/set", "").status, 400);
  EXPECT_EQ(sets_, 0);
  EXPECT_TRUE(switches_["front"].detect);
}

TEST_F(SwitchRoutesTest, GetIsNotAllowed) {
  EXPECT_EQ(router_.Handle("GET", "/api/front/detect/set").status, 405);
}

TEST_F(SwitchRoutesTest, APageOfAnotherSiteIsRefusedAndTheSamePageOrAScriptIsNot) {
  EXPECT_EQ(Post("/api/front/detect/set", "OFF", {{"Sec-Fetch-Site", "cross-site"}}).status, 403);
  EXPECT_EQ(Post("/api/front/detect/set", "OFF", {{"Sec-Fetch-Site", "same-site"}}).status, 403);
  EXPECT_EQ(Post("/api/front/detect/set", "OFF",
                 {{"Host", "nvr:5000"}, {"Origin", "http://evil.example"}})
                .status,
            403);
  EXPECT_EQ(Post("/api/front/detect/set", "OFF", {{"Origin", "null"}, {"Host", "nvr:5000"}}).status,
            403);
  EXPECT_EQ(sets_, 0);

  EXPECT_EQ(Post("/api/front/detect/set", "OFF", {{"Sec-Fetch-Site", "same-origin"}}).status, 200);
  EXPECT_EQ(
      Post("/api/front/detect/set", "OFF", {{"Host", "nvr:5000"}, {"Origin", "http://NVR:5000"}})
          .status,
      200);
  EXPECT_EQ(Post("/api/front/detect/set", "OFF").status, 200);  // curl, Home Assistant
  EXPECT_EQ(sets_, 3);
}

}  // namespace
}  // namespace corvette::http
