#include "config/config_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace corvette::config {
namespace {

using ::testing::HasSubstr;
using testing::MustLoad;
using ::testing::Not;

using Json = nlohmann::json;

std::set<std::string> Keys(const Json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it)
    keys.insert(it.key());
  return keys;
}

const char* kFrontDoor = R"(
mqtt:
  host: mqtt
  client_id: frigate_client_id
  user: frigate
  password: "{FRIGATE_MQTT_PASSWORD}"
detectors:
  cpu1:
    type: cpu
objects:
  filters:
    person:
      min_score: 0.6
cameras:
  front_door:
    ffmpeg:
      input_args: -avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp -stimeout 5000000 -use_wallclock_as_timestamps 1
      inputs:
        - path: rtsp://rtsp:{FRIGATE_RTSP_PASSWORD}@cam-front-door/live
          roles: [detect, rtmp, clips]
    width: 1920
    height: 1080
    fps: 4
    clips:
      enabled: true
    snapshots:
      enabled: true
    zones:
      steps:
        coordinates: 0,0,100,0,100,100
)";

Config FrontDoor() {
  return MustLoad(kFrontDoor,
                  {{"FRIGATE_MQTT_PASSWORD", "mqttsecret"}, {"FRIGATE_RTSP_PASSWORD", "password"}});
}

// The Home Assistant integration's TEST_CONFIG (recorded from a 0.8.4 server) for the same camera.
TEST(ConfigJson, MatchesFrigateShapeForHomeAssistantFixture) {
  // Frigate 0.8's plain rtmp output, to compare with its fixture.
  FfmpegCommandOptions plain_rtmp;
  plain_rtmp.resilient_rtmp = false;
  Json json = ToJson(FrontDoor(), plain_rtmp);
  EXPECT_EQ(Keys(json), (std::set<std::string>{"database", "model", "detectors", "mqtt", "clips",
                                               "snapshots", "cameras", "logger", "environment_vars",
                                               "server", "storage", "rtmp"}));
  EXPECT_EQ(json["database"], Json::parse(R"({"path": "/media/frigate/clips/frigate.db"})"));
  EXPECT_EQ(json["detectors"],
            Json::parse(R"({"cpu1": {"device": "usb", "num_threads": 3, "type": "cpu"}})"));
  EXPECT_EQ(json["mqtt"], Json::parse(R"({"client_id": "frigate_client_id", "host": "mqtt",
      "port": 1883, "stats_interval": 60, "topic_prefix": "frigate", "user": "frigate"})"));
  EXPECT_EQ(json["clips"], Json::parse(R"({"max_seconds": 300,
      "retain": {"default": 10, "objects": {}}, "tmpfs_cache_size": ""})"));
  EXPECT_EQ(json["snapshots"], Json::parse(R"({"retain": {"default": 10, "objects": {}}})"));
  EXPECT_EQ(json["logger"], Json::parse(R"({"default": "INFO", "logs": {}})"));
  EXPECT_EQ(json["environment_vars"], Json::object());
  EXPECT_EQ(json["model"]["width"], 320);
  EXPECT_EQ(json["model"]["height"], 320);

  Json expected_camera = Json::parse(R"({
    "best_image_timeout": 60,
    "clips": {"enabled": true, "objects": null, "post_capture": 5, "pre_capture": 5,
              "required_zones": [], "retain": {"default": 10, "objects": {}}},
    "detect": {"enabled": true, "max_disappeared": 20, "min_object_pixels": 48},
    "ffmpeg_cmds": [{
      "cmd": "ffmpeg -hide_banner -loglevel warning -avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp -stimeout 5000000 -use_wallclock_as_timestamps 1 -i rtsp://rtsp:*****@cam-front-door/live -f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an /tmp/cache/front_door-%Y%m%d%H%M%S.mp4 -c copy -f flv rtmp://127.0.0.1/live/front_door -r 4 -f rawvideo -pix_fmt yuv420p pipe:",
      "roles": ["detect", "rtmp", "clips"]}],
    "fps": 4,
    "frame_shape": [1080, 1920],
    "height": 1080,
    "motion": {"contour_area": 100, "delta_alpha": 0.2, "frame_alpha": 0.2, "frame_height": 180,
               "mask": null, "threshold": 25},
    "mqtt": {"bounding_box": true, "crop": true, "enabled": true, "height": 270,
             "required_zones": [], "timestamp": true},
    "name": "front_door",
    "objects": {"filters": {"person": {"mask": [], "max_area": 24000000, "min_area": 0,
                                       "min_score": 0.6, "threshold": 0.7}},
                "mask": null, "track": ["person"]},
    "record": {"enabled": false, "retain_days": 30},
    "rtmp": {"enabled": true},
    "snapshots": {"bounding_box": false, "crop": false, "enabled": true, "height": null,
                  "required_zones": [], "retain": {"default": 10, "objects": {}},
                  "timestamp": false},
    "width": 1920,
    "zones": {"steps": {"coordinates": "0,0,100,0,100,100", "filters": {}}}
  })");
  EXPECT_EQ(json["cameras"]["front_door"], expected_camera)
      << json["cameras"]["front_door"].dump(2);
}

TEST(ConfigJson, PasswordsNeverAppear) {
  std::string text = ToJson(FrontDoor()).dump();
  EXPECT_THAT(text, Not(HasSubstr("mqttsecret")));
  EXPECT_THAT(text, Not(HasSubstr("rtsp:password@")));
  EXPECT_THAT(text, Not(HasSubstr("\"password\"")));
  EXPECT_THAT(text, HasSubstr("rtsp://rtsp:*****@cam-front-door/live"));
}

TEST(ConfigJson, WithoutMqttKeepsDefaultsForHomeAssistant) {
  Json json = ToJson(MustLoad("cameras:\n" + testing::MinimalCamera()));
  EXPECT_EQ(json["mqtt"], Json::parse(R"({"client_id": "frigate", "host": null, "port": 1883,
      "stats_interval": 60, "topic_prefix": "frigate", "user": null})"));
}

TEST(ConfigJson, RawMasksZonesAndFilterMasks) {
  Config config = MustLoad(R"(
logger:
  default: debug
  logs:
    frigate.video: error
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    snapshots:
      height: 200
    clips:
      objects: [person]
    objects:
      track: [person, car]
      mask: 0,0,10,0,10,10
      filters:
        car:
          mask: ["1,1,2,1,2,2"]
    motion:
      mask:
        - 5,5,6,5,6,6
    zones:
      yard:
        coordinates: ["1,2", "3,4", "5,6"]
        filters:
          car: {min_area: 9}
)");
  Json json = ToJson(config);
  const Json& cam = json["cameras"]["a"];
  EXPECT_EQ(json["logger"],
            Json::parse(R"({"default": "DEBUG", "logs": {"frigate.video": "ERROR"}})"));
  EXPECT_EQ(cam["objects"]["mask"], "0,0,10,0,10,10");
  EXPECT_EQ(cam["objects"]["filters"]["person"]["mask"], Json::parse(R"(["0,0,10,0,10,10"])"));
  EXPECT_EQ(cam["objects"]["filters"]["car"]["mask"],
            Json::parse(R"(["0,0,10,0,10,10", "1,1,2,1,2,2"])"));
  EXPECT_EQ(cam["motion"]["mask"], Json::parse(R"(["5,5,6,5,6,6"])"));
  EXPECT_EQ(cam["zones"]["yard"], Json::parse(R"({"coordinates": ["1,2", "3,4", "5,6"],
      "filters": {"car": {"mask": [], "max_area": 24000000, "min_area": 9, "min_score": 0.5,
                          "threshold": 0.7}}})"));
  EXPECT_EQ(cam["snapshots"]["height"], 200);
  EXPECT_EQ(cam["clips"]["objects"], Json::parse(R"(["person"])"));
  EXPECT_EQ(cam["fps"], nullptr);
  EXPECT_EQ(cam["detect"]["max_disappeared"], 25);
}

TEST(ConfigJson, ReflectsRuntimeToggles) {
  Config config = FrontDoor();
  config.cameras[0].clips.enabled = false;
  config.cameras[0].detect.enabled = false;
  Json cam = ToJson(config)["cameras"]["front_door"];
  EXPECT_EQ(cam["clips"]["enabled"], false);
  EXPECT_EQ(cam["detect"]["enabled"], false);
}

TEST(ConfigJson, FfmpegCmdsFollowOptions) {
  FfmpegCommandOptions no_rtmp;
  no_rtmp.include_rtmp = false;
  Json cam = ToJson(FrontDoor(), no_rtmp)["cameras"]["front_door"];
  EXPECT_THAT(cam["ffmpeg_cmds"][0]["cmd"].get<std::string>(), Not(HasSubstr("rtmp://")));
  // By default the command shown is the one run: the rtmp output through the tee muxer.
  Json resilient = ToJson(FrontDoor())["cameras"]["front_door"];
  EXPECT_THAT(resilient["ffmpeg_cmds"][0]["cmd"].get<std::string>(),
              HasSubstr("-f tee [f=flv:onfail=ignore:"));
}

TEST(ConfigJson, ExtensionsAtTopLevel) {
  Json json =
      ToJson(MustLoad("server: {port: 5055}\nstorage: {clips: /c}\nrtmp: {port: 1940}\n"
                      "model: {path: /m.onnx}\ncameras:\n" +
                      testing::MinimalCamera()));
  EXPECT_EQ(json["server"], Json::parse(R"({"host": "0.0.0.0", "port": 5055})"));
  EXPECT_EQ(json["storage"]["clips"], "/c");
  EXPECT_EQ(json["rtmp"]["port"], 1940);
  EXPECT_EQ(json["model"]["path"], "/m.onnx");
  EXPECT_EQ(json["model"]["labelmap_path"], nullptr);
  EXPECT_EQ(json["database"]["path"], "/c/frigate.db");
}

}  // namespace
}  // namespace corvette::config
