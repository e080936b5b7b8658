#include "config/config.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace corvette::config {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::LoadYaml;
using testing::MinimalCamera;
using testing::MustLoad;
using ::testing::Pair;
using ::testing::SizeIs;

// ---- defaults (spec §2.1-2.5)
// -----------------------------------------------------------------------------

TEST(ConfigDefaults, GlobalDefaults) {
  Config config = MustLoad("cameras:\n" + MinimalCamera());
  EXPECT_FALSE(config.mqtt.has_value());
  EXPECT_EQ(config.database.path, "/media/frigate/clips/frigate.db");
  EXPECT_EQ(config.model.width, 320);
  EXPECT_EQ(config.model.height, 320);
  EXPECT_EQ(config.model.path, "");
  EXPECT_EQ(config.model.labelmap_path, "");
  ASSERT_EQ(config.detectors.size(), 1u);
  EXPECT_EQ(config.detectors[0].name, "coral");
  EXPECT_EQ(config.detectors[0].type, DetectorType::kEdgeTpu);
  EXPECT_EQ(config.detectors[0].device, "usb");
  EXPECT_EQ(config.detectors[0].num_threads, 3);
  EXPECT_EQ(config.logger.default_level, "info");
  EXPECT_THAT(config.logger.logs, IsEmpty());
  EXPECT_EQ(config.clips.max_seconds, 300);
  EXPECT_EQ(config.clips.tmpfs_cache_size, "");
  EXPECT_EQ(config.clips.retain.default_days, 10);
  EXPECT_THAT(config.clips.retain.objects, IsEmpty());
  EXPECT_EQ(config.snapshots.retain.default_days, 10);
  EXPECT_THAT(config.snapshots.retain.objects, IsEmpty());
  EXPECT_FALSE(config.record.enabled);
  EXPECT_EQ(config.record.retain_days, 30);
  EXPECT_THAT(config.environment_vars, IsEmpty());
  EXPECT_EQ(config.server.host, "0.0.0.0");
  EXPECT_EQ(config.server.port, 5000);
  EXPECT_EQ(config.storage.clips, "/media/frigate/clips");
  EXPECT_EQ(config.storage.recordings, "/media/frigate/recordings");
  EXPECT_EQ(config.storage.cache, "/tmp/cache");
  EXPECT_EQ(config.rtmp.port, 1935);
}

TEST(ConfigDefaults, MqttDefaults) {
  Config config = MustLoad("mqtt:\n  host: broker\ncameras:\n" + MinimalCamera());
  ASSERT_TRUE(config.mqtt.has_value());
  EXPECT_EQ(config.mqtt->host, "broker");
  EXPECT_EQ(config.mqtt->port, 1883);
  EXPECT_EQ(config.mqtt->topic_prefix, "frigate");
  EXPECT_EQ(config.mqtt->client_id, "frigate");
  EXPECT_FALSE(config.mqtt->user.has_value());
  EXPECT_FALSE(config.mqtt->password.has_value());
  EXPECT_EQ(config.mqtt->stats_interval, 60);
}

TEST(ConfigDefaults, CameraDefaults) {
  Config config = MustLoad("cameras:\n" + MinimalCamera("back"));
  ASSERT_EQ(config.cameras.size(), 1u);
  const CameraConfig& c = config.cameras[0];
  EXPECT_EQ(c.name, "back");
  EXPECT_EQ(c.width, 1280);
  EXPECT_EQ(c.height, 720);
  EXPECT_FALSE(c.fps.has_value());
  EXPECT_EQ(c.best_image_timeout, 60);
  EXPECT_THAT(c.zones, IsEmpty());
  // ffmpeg
  ASSERT_EQ(c.ffmpeg.inputs.size(), 1u);
  EXPECT_EQ(c.ffmpeg.inputs[0].path, "rtsp://10.0.0.2/stream");
  EXPECT_THAT(c.ffmpeg.inputs[0].roles, ElementsAre(Role::kDetect));
  EXPECT_THAT(c.ffmpeg.inputs[0].global_args, ElementsAre("-hide_banner", "-loglevel", "warning"));
  EXPECT_THAT(c.ffmpeg.inputs[0].hwaccel_args, IsEmpty());
  EXPECT_THAT(c.ffmpeg.inputs[0].input_args,
              ElementsAre("-avoid_negative_ts", "make_zero", "-fflags", "+genpts+discardcorrupt",
                          "-rtsp_transport", "tcp", "-timeout", "5000000",
                          "-use_wallclock_as_timestamps", "1"));
  EXPECT_THAT(c.ffmpeg.output_args.detect, ElementsAre("-f", "rawvideo", "-pix_fmt", "yuv420p"));
  EXPECT_THAT(c.ffmpeg.output_args.record,
              ElementsAre("-f", "segment", "-segment_time", "60", "-segment_format", "mp4",
                          "-reset_timestamps", "1", "-strftime", "1", "-c", "copy", "-an"));
  EXPECT_THAT(c.ffmpeg.output_args.clips,
              ElementsAre("-f", "segment", "-segment_time", "10", "-segment_format", "mp4",
                          "-reset_timestamps", "1", "-strftime", "1", "-c", "copy", "-an"));
  EXPECT_THAT(c.ffmpeg.output_args.rtmp, ElementsAre("-c", "copy", "-f", "flv"));
  // clips
  EXPECT_FALSE(c.clips.enabled);
  EXPECT_EQ(c.clips.pre_capture, 5);
  EXPECT_EQ(c.clips.post_capture, 5);
  EXPECT_FALSE(c.clips.objects.has_value());
  EXPECT_EQ(c.clips.retain.default_days, 10);
  EXPECT_THAT(c.clips.retain.objects, IsEmpty());
  EXPECT_THAT(c.clips.required_zones, IsEmpty());
  // record, rtmp
  EXPECT_FALSE(c.record.enabled);
  EXPECT_EQ(c.record.retain_days, 30);
  EXPECT_TRUE(c.rtmp.enabled);
  // snapshots
  EXPECT_FALSE(c.snapshots.enabled);
  EXPECT_FALSE(c.snapshots.timestamp);
  EXPECT_FALSE(c.snapshots.bounding_box);
  EXPECT_FALSE(c.snapshots.crop);
  EXPECT_FALSE(c.snapshots.height.has_value());
  EXPECT_EQ(c.snapshots.retain.default_days, 10);
  EXPECT_THAT(c.snapshots.required_zones, IsEmpty());
  // mqtt
  EXPECT_TRUE(c.mqtt.enabled);
  EXPECT_TRUE(c.mqtt.timestamp);
  EXPECT_TRUE(c.mqtt.bounding_box);
  EXPECT_TRUE(c.mqtt.crop);
  EXPECT_EQ(c.mqtt.height, 270);
  EXPECT_THAT(c.mqtt.required_zones, IsEmpty());
  // objects: a filter for every tracked label
  EXPECT_THAT(c.objects.track, ElementsAre("person"));
  EXPECT_TRUE(c.objects.raw_mask.is_null());
  EXPECT_THAT(c.objects.mask, IsEmpty());
  ASSERT_EQ(c.objects.filters.size(), 1u);
  const FilterConfig& person = c.objects.filters.at("person");
  EXPECT_EQ(person.min_area, 0);
  EXPECT_EQ(person.max_area, 24000000);
  EXPECT_DOUBLE_EQ(person.min_score, 0.5);
  EXPECT_DOUBLE_EQ(person.threshold, 0.7);
  EXPECT_THAT(person.raw_mask, IsEmpty());
  EXPECT_THAT(person.mask, IsEmpty());
  // motion
  EXPECT_TRUE(c.motion.raw_mask.is_null());
  EXPECT_THAT(c.motion.mask, IsEmpty());
  EXPECT_EQ(c.motion.threshold, 25);
  EXPECT_EQ(c.motion.contour_area, 100);
  EXPECT_DOUBLE_EQ(c.motion.delta_alpha, 0.2);
  EXPECT_DOUBLE_EQ(c.motion.frame_alpha, 0.2);
  EXPECT_EQ(c.motion.frame_height, 120);  // 720 / 6
  // detect: fps unset -> 5 * 5
  EXPECT_TRUE(c.detect.enabled);
  EXPECT_EQ(c.detect.max_disappeared, 25);
}

TEST(ConfigDefaults, MaxDisappearedFollowsFpsAndFrameHeightFollowsHeight) {
  Config config = MustLoad(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 1920
    height: 1080
    fps: 4
)");
  EXPECT_EQ(config.cameras[0].detect.max_disappeared, 20);
  EXPECT_EQ(config.cameras[0].motion.frame_height, 180);
}

TEST(ConfigDefaults, ZoneFiltersHaveFilterDefaults) {
  Config config = MustLoad(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    zones:
      steps:
        coordinates: 0,0,100,0,100,100
        filters:
          person:
            min_area: 500
)");
  const ZoneConfig* zone = config.cameras[0].FindZone("steps");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->raw_coordinates, "0,0,100,0,100,100");
  EXPECT_THAT(zone->polygon, ElementsAre(Point{0, 0}, Point{100, 0}, Point{100, 100}));
  const FilterConfig& f = zone->filters.at("person");
  EXPECT_EQ(f.min_area, 500);
  EXPECT_EQ(f.max_area, 24000000);
  EXPECT_DOUBLE_EQ(f.threshold, 0.7);
  EXPECT_DOUBLE_EQ(f.min_score, 0.5);
}

TEST(ConfigDefaults, DatabasePathFollowsStorageClips) {
  Config config = MustLoad("storage:\n  clips: ./var/clips\ncameras:\n" + MinimalCamera());
  EXPECT_EQ(config.database.path, "./var/clips/frigate.db");
  Config explicit_path = MustLoad(
      "storage:\n  clips: ./var/clips\ndatabase:\n  path: /db/f.db\ncameras:\n" + MinimalCamera());
  EXPECT_EQ(explicit_path.database.path, "/db/f.db");
}

TEST(ConfigDefaults, EmptyFileIsValidWithoutCameras) {
  LoadResult result = LoadYaml("");
  EXPECT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  EXPECT_THAT(result.config->cameras, IsEmpty());
  EXPECT_THAT(result.warnings, Contains(HasSubstr("no cameras")));
}

TEST(ConfigDefaults, CamerasKeepFileOrder) {
  Config config = MustLoad("cameras:\n" + MinimalCamera("zulu") + MinimalCamera("alpha") +
                           MinimalCamera("mike"));
  ASSERT_EQ(config.cameras.size(), 3u);
  EXPECT_EQ(config.cameras[0].name, "zulu");
  EXPECT_EQ(config.cameras[1].name, "alpha");
  EXPECT_EQ(config.cameras[2].name, "mike");
  EXPECT_NE(config.FindCamera("alpha"), nullptr);
  EXPECT_EQ(config.FindCamera("bravo"), nullptr);
}

// ---- inheritance
// -------------------------------------------------------------------------------------------

TEST(ConfigInheritance, RecordInheritsGlobal) {
  Config config = MustLoad(R"(
record:
  enabled: true
  retain_days: 7
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect, record]}]}
    width: 640
    height: 480
  b:
    ffmpeg: {inputs: [{path: x, roles: [detect, record]}]}
    width: 640
    height: 480
    record:
      retain_days: 3
  c:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    record:
      enabled: false
)");
  EXPECT_TRUE(config.cameras[0].record.enabled);
  EXPECT_EQ(config.cameras[0].record.retain_days, 7);
  EXPECT_TRUE(config.cameras[1].record.enabled);
  EXPECT_EQ(config.cameras[1].record.retain_days, 3);
  EXPECT_FALSE(config.cameras[2].record.enabled);
}

// Fixed 0.8 defect (§13 item 16): the camera's retain.default inherits the global one.
TEST(ConfigInheritance, RetainInheritsGlobalDefaultAndObjects) {
  Config config = MustLoad(R"(
clips:
  retain:
    default: 30
    objects:
      person: 60
      car: 2
snapshots:
  retain:
    default: 5
    objects:
      dog: 1
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
  b:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    clips:
      retain:
        default: 3
        objects:
          car: 4
    snapshots:
      retain:
        default: 8
)");
  const CameraConfig& a = config.cameras[0];
  EXPECT_EQ(a.clips.retain.default_days, 30);
  EXPECT_THAT(a.clips.retain.objects, ElementsAre(Pair("car", 2), Pair("person", 60)));
  EXPECT_EQ(a.snapshots.retain.default_days, 5);
  EXPECT_THAT(a.snapshots.retain.objects, ElementsAre(Pair("dog", 1)));
  const CameraConfig& b = config.cameras[1];
  EXPECT_EQ(b.clips.retain.default_days, 3);
  EXPECT_THAT(b.clips.retain.objects, ElementsAre(Pair("car", 4), Pair("person", 60)));
  EXPECT_EQ(b.snapshots.retain.default_days, 8);
  EXPECT_THAT(b.snapshots.retain.objects, ElementsAre(Pair("dog", 1)));
}

TEST(ConfigInheritance, ObjectsTrackAndFiltersCameraThenGlobalThenDefault) {
  Config config = MustLoad(R"(
objects:
  track: [person, car]
  filters:
    person:
      min_area: 100
      threshold: 0.8
    car:
      min_score: 0.6
    dog:
      min_area: 1
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    objects:
      filters:
        person:
          min_area: 200
          max_area: 100000
  b:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    objects:
      track: [dog]
)");
  const CameraConfig& a = config.cameras[0];
  EXPECT_THAT(a.objects.track, ElementsAre("person", "car"));
  ASSERT_EQ(a.objects.filters.size(), 2u);  // no filter for the untracked "dog"
  EXPECT_EQ(a.objects.filters.at("person").min_area, 200);
  EXPECT_EQ(a.objects.filters.at("person").max_area, 100000);
  EXPECT_DOUBLE_EQ(a.objects.filters.at("person").threshold, 0.8);
  EXPECT_DOUBLE_EQ(a.objects.filters.at("person").min_score, 0.5);
  EXPECT_DOUBLE_EQ(a.objects.filters.at("car").min_score, 0.6);
  EXPECT_EQ(a.objects.filters.at("car").min_area, 0);
  const CameraConfig& b = config.cameras[1];
  EXPECT_THAT(b.objects.track, ElementsAre("dog"));
  ASSERT_EQ(b.objects.filters.size(), 1u);
  EXPECT_EQ(b.objects.filters.at("dog").min_area, 1);
}

TEST(ConfigInheritance, MotionCameraThenGlobalThenDefault) {
  Config config = MustLoad(R"(
motion:
  threshold: 40
  contour_area: 50
  delta_alpha: 0.1
  frame_height: 100
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    motion:
      threshold: 30
      frame_alpha: 0.5
)");
  const MotionConfig& m = config.cameras[0].motion;
  EXPECT_EQ(m.threshold, 30);
  EXPECT_EQ(m.contour_area, 50);
  EXPECT_DOUBLE_EQ(m.delta_alpha, 0.1);
  EXPECT_DOUBLE_EQ(m.frame_alpha, 0.5);
  EXPECT_EQ(m.frame_height, 100);
}

TEST(ConfigInheritance, MaxDisappearedCameraThenGlobalThenFps) {
  Config config = MustLoad(R"(
detect:
  max_disappeared: 12
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    fps: 10
  b:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    detect:
      max_disappeared: 3
      enabled: false
)");
  EXPECT_EQ(config.cameras[0].detect.max_disappeared, 12);
  EXPECT_EQ(config.cameras[1].detect.max_disappeared, 3);
  EXPECT_FALSE(config.cameras[1].detect.enabled);
}

TEST(ConfigInheritance, MinObjectPixelsCameraThenGlobalThenDefault) {
  const char* camera = R"(
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
)";
  Config defaults = MustLoad(std::string("cameras:\n  a:") + camera);
  EXPECT_EQ(defaults.cameras[0].detect.min_object_pixels, 48);
  Config config = MustLoad(std::string("detect:\n  min_object_pixels: 64\ncameras:\n  a:") +
                           camera + "  b:" + camera + "    detect: {min_object_pixels: 0}\n");
  EXPECT_EQ(config.cameras[0].detect.min_object_pixels, 64);
  EXPECT_EQ(config.cameras[1].detect.min_object_pixels, 0);  // Frigate 0.8's regions
  const LoadResult bad =
      LoadYaml(std::string("cameras:\n  a:") + camera + "    detect: {min_object_pixels: -1}\n");
  EXPECT_THAT(bad.errors, Contains(HasSubstr("cameras.a.detect.min_object_pixels")));
}

TEST(ConfigInheritance, CameraOutputArgsReplaceGlobalWithBuiltInDefaults) {
  Config config = MustLoad(R"(
ffmpeg:
  output_args:
    detect: -global-detect
    rtmp: -global-rtmp
cameras:
  a:
    ffmpeg:
      inputs: [{path: x, roles: [detect]}]
    width: 640
    height: 480
  b:
    ffmpeg:
      inputs: [{path: x, roles: [detect]}]
      output_args:
        detect: -camera-detect
    width: 640
    height: 480
)");
  EXPECT_THAT(config.cameras[0].ffmpeg.output_args.detect, ElementsAre("-global-detect"));
  EXPECT_THAT(config.cameras[0].ffmpeg.output_args.rtmp, ElementsAre("-global-rtmp"));
  EXPECT_THAT(config.cameras[1].ffmpeg.output_args.detect, ElementsAre("-camera-detect"));
  // Frigate 0.8: a camera-level output_args map does not fall back to the global one.
  EXPECT_THAT(config.cameras[1].ffmpeg.output_args.rtmp, ElementsAre("-c", "copy", "-f", "flv"));
}

// Fixed 0.8 defect (§13 item 16): global masks are honoured, combined with the camera's.
TEST(ConfigInheritance, GlobalMasksCombineWithCameraMasks) {
  Config config = MustLoad(R"(
objects:
  mask: 0,0,10,0,10,10
  filters:
    person:
      mask: ["1,1,2,1,2,2"]
motion:
  mask: 5,5,6,5,6,6
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    objects:
      mask: ["20,20,30,20,30,30"]
      filters:
        person:
          mask: 3,3,4,3,4,4
    motion:
      mask:
        - 7,7,8,7,8,8
  b:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
)");
  const CameraConfig& a = config.cameras[0];
  EXPECT_EQ(a.objects.raw_mask, nlohmann::json({"20,20,30,20,30,30", "0,0,10,0,10,10"}));
  ASSERT_THAT(a.objects.mask, SizeIs(2));
  EXPECT_THAT(a.objects.mask[0], ElementsAre(Point{20, 20}, Point{30, 20}, Point{30, 30}));
  EXPECT_THAT(a.objects.mask[1], ElementsAre(Point{0, 0}, Point{10, 0}, Point{10, 10}));
  const FilterConfig& person = a.objects.filters.at("person");
  EXPECT_THAT(person.raw_mask,
              ElementsAre("20,20,30,20,30,30", "0,0,10,0,10,10", "3,3,4,3,4,4", "1,1,2,1,2,2"));
  EXPECT_THAT(person.mask, SizeIs(4));
  EXPECT_EQ(a.motion.raw_mask, nlohmann::json({"7,7,8,7,8,8", "5,5,6,5,6,6"}));
  EXPECT_THAT(a.motion.mask, SizeIs(2));

  const CameraConfig& b = config.cameras[1];  // only global masks: shown as written
  EXPECT_EQ(b.objects.raw_mask, "0,0,10,0,10,10");
  EXPECT_THAT(b.objects.mask, SizeIs(1));
  EXPECT_THAT(b.objects.filters.at("person").raw_mask,
              ElementsAre("0,0,10,0,10,10", "1,1,2,1,2,2"));
  EXPECT_EQ(b.motion.raw_mask, "5,5,6,5,6,6");
}

TEST(ConfigInheritance, CameraMaskAloneIsShownAsWritten) {
  Config config = MustLoad(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    motion:
      mask: 0,0,10,0,10,10
    objects:
      mask: ["0,0,10,0,10,10"]
)");
  EXPECT_EQ(config.cameras[0].motion.raw_mask, "0,0,10,0,10,10");
  EXPECT_EQ(config.cameras[0].objects.raw_mask, nlohmann::json({"0,0,10,0,10,10"}));
}

// ---- types
// ------------------------------------------------------------------------------------------------

// Fixed 0.8 defect (§13 item 17): float fields accept integers.
TEST(ConfigTypes, FloatFieldsAcceptIntegers) {
  Config config = MustLoad(R"(
objects:
  filters:
    person:
      threshold: 1
      min_score: 0
motion:
  delta_alpha: 1
cameras:
)" + MinimalCamera());
  EXPECT_DOUBLE_EQ(config.cameras[0].objects.filters.at("person").threshold, 1.0);
  EXPECT_DOUBLE_EQ(config.cameras[0].objects.filters.at("person").min_score, 0.0);
  EXPECT_DOUBLE_EQ(config.cameras[0].motion.delta_alpha, 1.0);
}

TEST(ConfigTypes, YamlBooleansAsPyYamlReadsThem) {
  Config config = MustLoad(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    clips: {enabled: yes}
    snapshots: {enabled: on, crop: True}
    rtmp: {enabled: off}
)");
  EXPECT_TRUE(config.cameras[0].clips.enabled);
  EXPECT_TRUE(config.cameras[0].snapshots.enabled);
  EXPECT_TRUE(config.cameras[0].snapshots.crop);
  EXPECT_FALSE(config.cameras[0].rtmp.enabled);
}

TEST(ConfigTypes, ZoneCoordinatesAsListOfPoints) {
  Config config = MustLoad(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    zones:
      yard:
        coordinates:
          - 1,2
          - 3,4
          - 5, 6
)");
  const ZoneConfig& z = config.cameras[0].zones[0];
  EXPECT_EQ(z.raw_coordinates, nlohmann::json({"1,2", "3,4", "5, 6"}));
  EXPECT_THAT(z.polygon, ElementsAre(Point{1, 2}, Point{3, 4}, Point{5, 6}));
}

TEST(ConfigTypes, LoggerLevelsAreCaseInsensitive) {
  Config config = MustLoad(R"(
logger:
  default: WARNING
  logs:
    frigate.mqtt: debug
cameras:
)" + MinimalCamera());
  EXPECT_EQ(config.logger.default_level, "warning");
  EXPECT_THAT(config.logger.logs, ElementsAre(Pair("frigate.mqtt", "debug")));
}

TEST(ConfigTypes, DetectorsInFileOrderAndEdgeTpuWarns) {
  LoadResult result = LoadYaml(R"(
detectors:
  tpu:
    type: edgetpu
    device: pci
  cpu1:
    type: cpu
    num_threads: 2
cameras:
)" + MinimalCamera());
  ASSERT_THAT(result.errors, IsEmpty());
  const auto& d = result.config->detectors;
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "tpu");
  EXPECT_EQ(d[0].type, DetectorType::kEdgeTpu);
  EXPECT_EQ(d[0].device, "pci");
  EXPECT_EQ(d[1].name, "cpu1");
  EXPECT_EQ(d[1].type, DetectorType::kCpu);
  EXPECT_EQ(d[1].num_threads, 2);
  EXPECT_THAT(
      result.warnings,
      Contains("detectors.tpu.type: edgetpu cannot run in this build; using a CPU detector"));
  for (const auto& w : result.warnings)
    EXPECT_THAT(w, ::testing::Not(HasSubstr("cpu1")));
}

TEST(ConfigTypes, DetectorRuntimeExtension) {
  LoadResult result = LoadYaml(R"(
detectors:
  a:
    type: cpu
  b:
    type: cpu
    runtime: onnxruntime
  c:
    type: cpu
    runtime: opencv
  d:
    type: cpu
    runtime: auto
cameras:
)" + MinimalCamera());
  ASSERT_THAT(result.errors, IsEmpty());
  const auto& d = result.config->detectors;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].runtime, "auto");
  EXPECT_EQ(d[1].runtime, "onnxruntime");
  EXPECT_EQ(d[2].runtime, "opencv");
  EXPECT_EQ(d[3].runtime, "auto");

  LoadResult bad = LoadYaml(R"(
detectors:
  cpu1:
    type: cpu
    runtime: tensorrt
cameras:
)" + MinimalCamera());
  EXPECT_THAT(bad.errors, Contains("detectors.cpu1.runtime: unknown detector runtime \"tensorrt\" "
                                   "(expected auto, onnxruntime or opencv)"));
}

TEST(ConfigTypes, DetectorPrecisionExtension) {
  LoadResult result = LoadYaml(R"(
detectors:
  a:
    type: cpu
  b:
    type: cpu
    precision: int8
  c:
    type: cpu
    runtime: onnxruntime
    precision: fp32
cameras:
)" + MinimalCamera());
  ASSERT_THAT(result.errors, IsEmpty());
  const auto& d = result.config->detectors;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].precision, "fp32");
  EXPECT_EQ(d[1].precision, "int8");
  EXPECT_EQ(d[2].precision, "fp32");

  // Every problem, each with its key path.
  LoadResult bad = LoadYaml(R"(
model:
  path: /models/mine.onnx
detectors:
  a:
    type: cpu
    precision: bf16
  b:
    type: cpu
    runtime: opencv
    precision: int8
cameras:
)" + MinimalCamera());
  EXPECT_THAT(bad.errors, Contains("detectors.a.precision: unknown detector precision \"bf16\" "
                                   "(expected fp32 or int8)"));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("detectors.b.precision: int8 runs on ONNX Runtime "
                                             "only, not on runtime opencv")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("detectors.b.precision: int8 is the built-in "
                                             "model's int8 version, and model.path names")));
}

TEST(ConfigTypes, YamlAnchorsAndMergeKeys) {
  Config config = MustLoad(R"(
cameras:
  a: &cam
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
  b:
    <<: *cam
    height: 360
)");
  ASSERT_EQ(config.cameras.size(), 2u);
  EXPECT_EQ(config.cameras[1].width, 640);
  EXPECT_EQ(config.cameras[1].height, 360);
}

// ---- substitution (§2.7) and environment_vars
// -------------------------------------------------------------

TEST(ConfigSubstitution, SubstitutesMqttCredentialsAndInputPaths) {
  Config config = MustLoad(R"(
mqtt:
  host: broker
  user: "{FRIGATE_MQTT_USER}"
  password: "p{FRIGATE_MQTT_PASSWORD}{{x}}"
cameras:
  a:
    ffmpeg:
      inputs:
        - path: rtsp://admin:{FRIGATE_RTSP_PASSWORD}@10.0.0.2/live
          roles: [detect]
    width: 640
    height: 480
)",
                           {{"FRIGATE_MQTT_USER", "me"},
                            {"FRIGATE_MQTT_PASSWORD", "secret"},
                            {"FRIGATE_RTSP_PASSWORD", "pw"},
                            {"HOME", "/root"}});
  EXPECT_EQ(config.mqtt->user, "me");
  EXPECT_EQ(config.mqtt->password, "psecret{x}");
  EXPECT_EQ(config.cameras[0].ffmpeg.inputs[0].path, "rtsp://admin:pw@10.0.0.2/live");
}

TEST(ConfigSubstitution, OtherFieldsAreNotSubstituted) {
  Config config = MustLoad(R"(
mqtt:
  host: "{FRIGATE_HOST}"
cameras:
)" + MinimalCamera(),
                           {{"FRIGATE_HOST", "x"}});
  EXPECT_EQ(config.mqtt->host, "{FRIGATE_HOST}");
}

// Fixed 0.8 defect (§13 item 17): environment_vars feed substitution.
TEST(ConfigSubstitution, EnvironmentVarsFeedSubstitutionAndWin) {
  Config config = MustLoad(R"(
environment_vars:
  FRIGATE_RTSP_PASSWORD: fromfile
  OTHER: 5
cameras:
  a:
    ffmpeg:
      inputs:
        - path: rtsp://u:{FRIGATE_RTSP_PASSWORD}@h/live
          roles: [detect]
    width: 640
    height: 480
)",
                           {{"FRIGATE_RTSP_PASSWORD", "fromenv"}});
  EXPECT_EQ(config.cameras[0].ffmpeg.inputs[0].path, "rtsp://u:fromfile@h/live");
  EXPECT_THAT(config.environment_vars,
              ElementsAre(Pair("FRIGATE_RTSP_PASSWORD", "fromfile"), Pair("OTHER", "5")));
}

TEST(ConfigSubstitution, UnknownVariableIsAnErrorWithKeyPath) {
  LoadResult result = LoadYaml(R"(
mqtt:
  host: broker
  password: "{FRIGATE_NOPE}"
cameras:
  a:
    ffmpeg:
      inputs:
        - path: rtsp://u:{FRIGATE_MISSING}@h/{HOME}
          roles: [detect]
    width: 640
    height: 480
)",
                               {{"HOME", "/root"}});
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.errors,
              Contains(AllOf(HasSubstr("mqtt.password: unknown variable {FRIGATE_NOPE}"))));
  EXPECT_THAT(
      result.errors,
      Contains(HasSubstr("cameras.a.ffmpeg.inputs[0].path: unknown variable {FRIGATE_MISSING}")));
  EXPECT_THAT(result.errors,
              Contains(HasSubstr("cameras.a.ffmpeg.inputs[0].path: variable {HOME} is not a "
                                 "FRIGATE_ variable")));
}

TEST(ConfigEnvironment, ExportEnvironmentVarsSetsProcessEnvironment) {
  Config config = MustLoad(R"(
environment_vars:
  CORVETTE_CONFIG_TEST_VAR: hello
cameras:
)" + MinimalCamera());
  ::unsetenv("CORVETTE_CONFIG_TEST_VAR");
  ExportEnvironmentVars(config);
  ASSERT_NE(std::getenv("CORVETTE_CONFIG_TEST_VAR"), nullptr);
  EXPECT_STREQ(std::getenv("CORVETTE_CONFIG_TEST_VAR"), "hello");
  EXPECT_EQ(ProcessEnvironment().at("CORVETTE_CONFIG_TEST_VAR"), "hello");
  ::unsetenv("CORVETTE_CONFIG_TEST_VAR");
}

// ---- validation
// -------------------------------------------------------------------------------------------

TEST(ConfigValidation, UnknownRoleWithKeyPathAndExpectedValues) {
  LoadResult result = LoadYaml(R"(
cameras:
  back:
    ffmpeg:
      inputs:
        - path: rtsp://x
          roles: [clips, detct]
    width: 640
    height: 480
)");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.errors,
              Contains("cameras.back.ffmpeg.inputs[0].roles[1]: unknown role \"detct\" (expected "
                       "detect, clips, record, rtmp)"));
}

TEST(ConfigValidation, RoleUsedTwice) {
  LoadResult result = LoadYaml(R"(
cameras:
  back:
    ffmpeg:
      inputs:
        - path: a
          roles: [detect, clips]
        - path: b
          roles: [clips]
    width: 640
    height: 480
)");
  EXPECT_THAT(result.errors,
              ElementsAre("cameras.back.ffmpeg.inputs[1].roles[0]: role \"clips\" is already used "
                          "by inputs[0] (expected each role on one input at most)"));
}

TEST(ConfigValidation, DetectRoleRequired) {
  LoadResult result = LoadYaml(R"(
cameras:
  back:
    ffmpeg:
      inputs:
        - path: a
          roles: [clips]
    width: 640
    height: 480
)");
  EXPECT_THAT(result.errors, ElementsAre("cameras.back.ffmpeg.inputs: no input has the detect "
                                         "role (expected exactly one input with the detect role)"));
}

TEST(ConfigValidation, ZoneNameEqualToCameraName) {
  LoadResult result = LoadYaml("cameras:\n" + MinimalCamera("front") + R"(
  back:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    zones:
      front:
        coordinates: 0,0,1,0,1,1
)");
  EXPECT_THAT(result.errors, ElementsAre("cameras.back.zones.front: zone name is also a camera "
                                         "name (expected zone names that differ from every "
                                         "camera name)"));
}

TEST(ConfigValidation, UnknownKeysAreErrorsListingAcceptedKeys) {
  LoadResult result = LoadYaml(R"(
mqtt:
  host: x
  hots: y
cameras:
  back:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    fsp: 5
    motion:
      treshold: 3
unknown_section: 1
)");
  EXPECT_THAT(result.errors, Contains(AllOf(HasSubstr("mqtt.hots: unknown key (expected one of "),
                                            HasSubstr("host"), HasSubstr("stats_interval"))));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.back.fsp: unknown key (expected one of")));
  EXPECT_THAT(result.errors,
              Contains(HasSubstr("cameras.back.motion.treshold: unknown key (expected one of")));
  EXPECT_THAT(result.errors, Contains(HasSubstr("unknown_section: unknown key (expected one of")));
  EXPECT_THAT(result.errors, SizeIs(4));
}

TEST(ConfigValidation, ManyErrorsReportedAtOnce) {
  LoadResult result = LoadYaml(R"(
mqtt:
  port: 99999
model:
  width: 0
detectors:
  d:
    type: gpu
logger:
  default: loud
cameras:
  a:
    ffmpeg:
      inputs:
        - roles: [detect]
    width: -1
    fps: 0
    motion:
      threshold: 300
      delta_alpha: 1.5
      mask: 1,2,3
    objects:
      filters:
        person:
          min_score: 2
          mask: ["0,0,a,0,1,1"]
    zones:
      z:
        coordinates: 0,0,1,1
  b:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 641
    height: "480"
    snapshots:
      enabled: maybe
)");
  EXPECT_FALSE(result.config.has_value());
  const std::vector<std::string> expected_prefixes = {
      "mqtt.host: missing",
      "mqtt.port: 99999 is out of range (expected an integer from 1 to 65535)",
      "model.width: 0 is out of range (expected an integer >= 1)",
      "detectors.d.type: unknown detector type \"gpu\" (expected cpu or edgetpu)",
      "logger.default: unknown log level \"loud\"",
      "cameras.a.height: missing",
      "cameras.a.width: -1 is out of range",
      "cameras.a.fps: 0 is out of range (expected an integer >= 1)",
      "cameras.a.ffmpeg.inputs[0].path: missing",
      "cameras.a.motion.threshold: 300 is out of range (expected an integer from 1 to 255)",
      "cameras.a.motion.delta_alpha: 1.5 is out of range (expected a number > 0 and <= 1)",
      "cameras.a.motion.mask: odd number of coordinates (3)",
      "cameras.a.objects.filters.person.min_score: 2 is out of range (expected a number from 0 "
      "to 1)",
      "cameras.a.objects.filters.person.mask[0]: coordinate 3 \"a\" is not an integer",
      "cameras.a.zones.z.coordinates: only 2 points",
      "cameras.b.width: 641 is odd",
      "cameras.b.height: the string \"480\" is not an integer",
      "cameras.b.snapshots.enabled: the string \"maybe\" is not a boolean (expected true or false)",
  };
  for (const auto& prefix : expected_prefixes) {
    EXPECT_THAT(result.errors, Contains(HasSubstr(prefix))) << prefix;
  }
  EXPECT_EQ(result.errors.size(), expected_prefixes.size())
      << ::testing::PrintToString(result.errors);
}

TEST(ConfigValidation, ModelSizeIsASizeTheBuiltInModelIsConvertedFor) {
  const std::vector<int> sizes = BuiltInModelSizes();  // tools/model.cmake's list
  ASSERT_THAT(sizes, Contains(320));                   // the default size is always built
  for (int size : sizes) {
    Config config = MustLoad(fmt::format("model: {{width: {0}, height: {0}}}\ncameras:\n", size) +
                             MinimalCamera());
    EXPECT_EQ(config.model.width, size);
  }
  LoadResult result = LoadYaml("model:\n  width: 300\n  height: 288\ncameras:\n" + MinimalCamera());
  ASSERT_THAT(result.errors, SizeIs(2));
  EXPECT_THAT(
      result.errors[0],
      ::testing::StartsWith("model.width: 300 is not a size the built-in model is converted "
                            "for (expected "));
  EXPECT_THAT(result.errors[1],
              ::testing::StartsWith("model.height: 288 is not a size the built-in model is "
                                    "converted for (expected "));
  for (int size : sizes)
    EXPECT_THAT(result.errors[0], HasSubstr(std::to_string(size)));
}

TEST(ConfigValidation, ModelSizeIsSquare) {
  const std::vector<int> sizes = BuiltInModelSizes();
  if (sizes.size() >= 2) {  // two built sizes, each fine alone
    LoadResult built_in = LoadYaml(
        fmt::format("model: {{width: {}, height: {}}}\ncameras:\n", sizes.front(), sizes.back()) +
        MinimalCamera());
    EXPECT_THAT(built_in.errors,
                ElementsAre(HasSubstr("model.height: " + std::to_string(sizes.back()) +
                                      " differs from model.width")));
  }
  LoadResult own =
      LoadYaml("model: {path: /m.onnx, width: 320, height: 640}\ncameras:\n" + MinimalCamera());
  EXPECT_THAT(own.errors, ElementsAre("model.height: 640 differs from model.width 320 (expected "
                                      "the same size as model.width: the model's input is "
                                      "square)"));
}

TEST(ConfigValidation, OwnModelSizeIsAMultipleOf32) {
  Config config =
      MustLoad("model: {path: /m.onnx, width: 640, height: 640}\ncameras:\n" + MinimalCamera());
  EXPECT_EQ(config.model.width, 640);
  LoadResult result =
      LoadYaml("model: {path: /m.onnx, width: 300, height: 300}\ncameras:\n" + MinimalCamera());
  EXPECT_THAT(result.errors,
              ElementsAre("model.width: 300 is not a multiple of 32 (expected a multiple of 32, "
                          "the input size of the model in model.path)",
                          "model.height: 300 is not a multiple of 32 (expected a multiple of 32, "
                          "the input size of the model in model.path)"));
}

TEST(ConfigValidation, TmpfsCacheSizeIsASize) {
  for (const char* size : {"256m", "256M", "1g", "1G", "512k", "512K", "10%", "1048576", "0256m"}) {
    Config config = MustLoad(fmt::format("clips:\n  tmpfs_cache_size: \"{}\"\ncameras:\n", size) +
                             MinimalCamera());
    EXPECT_EQ(config.clips.tmpfs_cache_size, size);
  }
  EXPECT_EQ(MustLoad("clips:\n  tmpfs_cache_size: \"\"\n").clips.tmpfs_cache_size, "");  // unset
  for (const char* size : {"0", "0m", "000g", "-1g", "1.5g", "1gb", "1 g", " 1g", "1g ", "m", "%",
                           "10%%", "1t", "ten", "1g,uid=0", "0x10"}) {
    LoadResult result = LoadYaml(fmt::format("clips:\n  tmpfs_cache_size: \"{}\"\n", size));
    EXPECT_THAT(result.errors,
                ElementsAre(fmt::format("clips.tmpfs_cache_size: \"{}\" is not a size (expected a "
                                        "size such as 256m, 1g or 10%: digits > 0, then "
                                        "optionally k, m, g or %)",
                                        size)))
        << size;
  }
}

TEST(ConfigValidation, TmpfsCacheSizeIsReportedWithTheOtherErrors) {
  LoadResult result =
      LoadYaml("clips:\n  tmpfs_cache_size: 1gb\n  max_seconds: 0\nmqtt:\n  port: 0\n");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(
      result.errors,
      ElementsAre(HasSubstr("mqtt.host: missing"), HasSubstr("mqtt.port: 0 is out of range"),
                  HasSubstr("clips.max_seconds: 0 is out of range"),
                  HasSubstr("clips.tmpfs_cache_size: \"1gb\" is not a size")));
}

TEST(ConfigValidation, MissingRequiredCameraKeys) {
  LoadResult result = LoadYaml("cameras:\n  a:\n    fps: 5\n");
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.a.ffmpeg: missing")));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.a.width: missing")));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.a.height: missing")));
}

TEST(ConfigValidation, NoInputsAndMissingRoles) {
  LoadResult result = LoadYaml(R"(
cameras:
  a:
    ffmpeg:
      inputs: []
    width: 640
    height: 480
  b:
    ffmpeg:
      inputs:
        - path: x
    width: 640
    height: 480
)");
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.a.ffmpeg.inputs: no inputs")));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.b.ffmpeg.inputs[0].roles: missing")));
}

TEST(ConfigValidation, IntegerFieldsRejectFloatsAndBooleans) {
  LoadResult result = LoadYaml(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640.0
    height: true
)");
  EXPECT_THAT(result.errors, Contains("cameras.a.width: the number 640.0 is not an integer "
                                      "(expected an integer >= 2)"));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.a.height: the boolean true is not an "
                                                "integer")));
}

TEST(ConfigValidation, StringFieldsRejectNumbers) {
  LoadResult result = LoadYaml("mqtt:\n  host: x\n  password: 1234\ncameras:\n" + MinimalCamera());
  EXPECT_THAT(result.errors,
              ElementsAre("mqtt.password: the number 1234 is not a string (expected a string; "
                          "quote values that look like numbers or booleans)"));
}

TEST(ConfigValidation, NamesUnsafeForPathsAndTopics) {
  LoadResult result = LoadYaml(R"(
cameras:
  "../etc":
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
  "a/b":
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    zones:
      "z+":
        coordinates: 0,0,1,0,1,1
)");
  EXPECT_THAT(result.errors,
              Contains(HasSubstr("cameras.../etc: name \"../etc\" starts with a dot")));
  EXPECT_THAT(result.errors,
              Contains(HasSubstr("cameras.a/b: name \"a/b\" contains a forbidden character")));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras.a/b.zones.z+: name \"z+\" contains a "
                                                "forbidden character")));
}

TEST(ConfigValidation, MinAreaLargerThanMaxArea) {
  LoadResult result = LoadYaml(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect]}]}
    width: 640
    height: 480
    objects:
      filters:
        person: {min_area: 100, max_area: 10}
)");
  EXPECT_THAT(result.errors, ElementsAre("cameras.a.objects.filters.person: min_area 100 is larger "
                                         "than max_area 10 (expected min_area <= max_area)"));
}

TEST(ConfigValidation, GlobalProblemReportedOnce) {
  LoadResult result = LoadYaml(R"(
objects:
  filters:
    person: {min_area: 100, max_area: 10}
cameras:
)" + MinimalCamera("a") + MinimalCamera("b"));
  EXPECT_THAT(result.errors, ElementsAre("objects.filters.person: min_area 100 is larger than "
                                         "max_area 10 (expected min_area <= max_area)"));
}

TEST(ConfigValidation, EmptyDetectorsMap) {
  LoadResult result = LoadYaml("detectors: {}\ncameras:\n" + MinimalCamera());
  EXPECT_THAT(result.errors, ElementsAre(HasSubstr("detectors: no detector")));
}

TEST(ConfigValidation, SectionOfWrongType) {
  LoadResult result = LoadYaml("mqtt: broker\ncameras: []\n");
  EXPECT_THAT(result.errors, Contains(HasSubstr("mqtt: the string \"broker\" is not a map")));
  EXPECT_THAT(result.errors, Contains(HasSubstr("cameras: a list is not a map")));
}

TEST(ConfigValidation, TopLevelNotAMap) {
  LoadResult result = LoadYaml("- a\n- b\n");
  EXPECT_THAT(result.errors, ElementsAre(HasSubstr("config: a list is not a map")));
}

TEST(ConfigValidation, DuplicateYamlKeysTakeTheLastValueWithAWarning) {
  // PyYAML (Frigate 0.8) accepts this file: the second `a` and the second `height` win.
  std::string second = MinimalCamera("a");
  second.replace(second.find("height: 720"), 11, "height: 360\n    height: 480");
  LoadResult result = LoadYaml("cameras:\n" + MinimalCamera("a") + MinimalCamera("b") + second);
  EXPECT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  ASSERT_THAT(result.config->cameras, SizeIs(2));
  EXPECT_EQ(result.config->cameras[0].name, "a");  // the first place is kept
  EXPECT_EQ(result.config->cameras[0].height, 480);
  EXPECT_THAT(result.warnings,
              AllOf(Contains(HasSubstr("cameras.a: duplicate key on line 16 (first on line 2)")),
                    Contains(HasSubstr("cameras.a.height: duplicate key on line 23 (first on "
                                       "line 22)"))));
}

// ---- warnings
// ---------------------------------------------------------------------------------------------

TEST(ConfigWarnings, RoleAndFeatureMismatches) {
  LoadResult result = LoadYaml(R"(
cameras:
  a:
    ffmpeg:
      inputs:
        - path: x
          roles: [detect, record, clips]
    width: 640
    height: 480
  b:
    record: {enabled: true}
    clips: {enabled: true}
    rtmp: {enabled: false}
    ffmpeg:
      inputs:
        - path: x
          roles: [detect, rtmp]
    width: 640
    height: 480
)");
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.a.record.enabled: an input has the "
                                                  "record role but record is not enabled")));
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.a.clips.enabled: an input has the "
                                                  "clips role but clips are not enabled")));
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.a.rtmp.enabled: rtmp is enabled but "
                                                  "no input has the rtmp role")));
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.b.record.enabled: record is enabled "
                                                  "but no input has the record role")));
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.b.clips.enabled: clips are enabled but "
                                                  "no input has the clips role")));
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.b.rtmp.enabled: an input has the rtmp "
                                                  "role but rtmp is not enabled")));
}

TEST(ConfigWarnings, CameraNamedAsAnApiPath) {
  LoadResult result = LoadYaml("cameras:\n" + MinimalCamera("events") + MinimalCamera("stats") +
                               MinimalCamera("config") + MinimalCamera("version") +
                               MinimalCamera("eventsx") + MinimalCamera("Stats"));
  EXPECT_THAT(result.errors, IsEmpty());
  std::vector<std::string> clashes;
  for (const std::string& warning : result.warnings) {
    if (warning.find("API path") != std::string::npos)
      clashes.push_back(warning);
  }
  EXPECT_THAT(clashes,
              ElementsAre("cameras.events: \"events\" is also an API path: /api/events answers "
                          "with that, not with this camera's live view (another camera name "
                          "avoids the clash)",
                          HasSubstr("cameras.stats: \"stats\" is also an API path"),
                          HasSubstr("cameras.config: \"config\" is also an API path"),
                          HasSubstr("cameras.version: \"version\" is also an API path")));
}

TEST(ConfigWarnings, UnknownRequiredZonesAndUntrackedClipObjects) {
  LoadResult result = LoadYaml(R"(
cameras:
  a:
    ffmpeg: {inputs: [{path: x, roles: [detect, rtmp]}]}
    width: 640
    height: 480
    zones:
      yard: {coordinates: "0,0,1,0,1,1"}
    clips:
      required_zones: [yard, porch]
      objects: [person, car]
    motion:
      mask: 0,0,1000,0,1000,10
)");
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.a.clips.required_zones[1]: \"porch\" "
                                                  "is not a zone of camera a")));
  EXPECT_THAT(result.warnings,
              Contains(HasSubstr("cameras.a.clips.objects[1]: \"car\" is not a tracked object")));
  EXPECT_THAT(result.warnings, Contains(HasSubstr("cameras.a.motion.mask: has points outside the "
                                                  "640x480 frame")));
}

// ---- files and formats
// ------------------------------------------------------------------------------------

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("corvette_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, YmlAndYamlExtensionsAreYaml) {
  std::string text = "cameras:\n" + MinimalCamera();
  for (const char* name : {"config.yml", "config.yaml", "CONFIG.YML"}) {
    LoadResult result = LoadConfigFile(Write(name, text), {});
    EXPECT_THAT(result.errors, IsEmpty()) << name;
    ASSERT_TRUE(result.config.has_value()) << name;
    EXPECT_EQ(result.config->cameras.size(), 1u);
  }
}

TEST_F(ConfigFileTest, JsonConfig) {
  std::string path = Write("config.json", R"({
  "mqtt": {"host": "broker", "port": 1884},
  "objects": {"filters": {"person": {"threshold": 0.75}}},
  "cameras": {
    "zulu": {"ffmpeg": {"inputs": [{"path": "rtsp://x", "roles": ["detect"]}]},
             "width": 640, "height": 480, "fps": 5},
    "alpha": {"ffmpeg": {"inputs": [{"path": "rtsp://y", "roles": ["detect"]}]},
              "width": 640, "height": 480}
  }
})");
  LoadResult result = LoadConfigFile(path, {});
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.config->mqtt->port, 1884);
  ASSERT_EQ(result.config->cameras.size(), 2u);
  EXPECT_EQ(result.config->cameras[0].name, "zulu");
  EXPECT_EQ(result.config->cameras[0].fps, 5);
  EXPECT_DOUBLE_EQ(result.config->cameras[1].objects.filters.at("person").threshold, 0.75);
}

TEST_F(ConfigFileTest, OtherExtensionIsAnError) {
  LoadResult result = LoadConfigFile(Write("config.txt", "cameras: {}\n"), {});
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.errors, ElementsAre(HasSubstr("unsupported file name extension (expected "
                                                   ".yml, .yaml or .json)")));
}

TEST_F(ConfigFileTest, MissingFileIsAnError) {
  LoadResult result = LoadConfigFile((dir_ / "absent.yml").string(), {});
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.errors, ElementsAre(HasSubstr("cannot open")));
}

TEST_F(ConfigFileTest, YamlSyntaxErrorHasLineAndColumn) {
  LoadResult result = LoadConfigFile(Write("bad.yml", "cameras:\n  a:\n    width: [1, 2\n"), {});
  EXPECT_FALSE(result.config.has_value());
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_THAT(result.errors[0], ::testing::MatchesRegex("line [0-9]+, column [0-9]+: YAML syntax "
                                                        "error: .*"));
}

TEST_F(ConfigFileTest, JsonSyntaxErrorHasLineAndColumn) {
  LoadResult result = LoadConfigFile(Write("bad.json", "{\n  \"cameras\": {,}\n}\n"), {});
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_THAT(result.errors[0], HasSubstr("line 2, column 15: JSON syntax error: "));
}

}  // namespace
}  // namespace corvette::config

namespace corvette::config {
namespace {

// The config is untrusted text: every mutation of a valid file must load or be rejected with
// errors, never throw or crash.
TEST(ConfigRobustness, MutatedInputsLoadOrReportErrors) {
  const std::string valid = R"(
mqtt: {host: broker, user: u, password: "{FRIGATE_PW}"}
environment_vars: {FRIGATE_PW: x}
objects: {track: [person, car], mask: "0,0,5,0,5,5", filters: {person: {min_score: 0.6}}}
motion: {threshold: 30}
cameras:
  a: &a
    ffmpeg:
      inputs:
        - path: rtsp://u:{FRIGATE_PW}@h/x
          roles: [detect, clips, rtmp]
    width: 640
    height: 480
    fps: 5
    zones: {yard: {coordinates: ["1,2", "3,4", "5,6"], filters: {person: {min_area: 4}}}}
    motion: {mask: ["0,0,1,0,1,1"]}
  b:
    <<: *a
    height: 360
)";
  const std::string replacements = " :[\n";
  size_t loaded = 0;
  size_t rejected = 0;
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char r : replacements) {
      std::string text = valid;
      text[i] = r;
      for (Format format : {Format::kYaml, Format::kJson}) {
        LoadResult result;
        ASSERT_NO_THROW(result = LoadConfigText(text, format, {})) << text;
        EXPECT_NE(result.config.has_value(), !result.errors.empty());
        (result.config ? loaded : rejected)++;
      }
    }
    if (i % 3 == 0) {
      std::string deleted = valid;
      deleted.erase(i, 1);
      ASSERT_NO_THROW(LoadConfigText(deleted, Format::kYaml, {}));
    }
  }
  EXPECT_GT(loaded, 0u);
  EXPECT_GT(rejected, 0u);
}

TEST(ConfigValidation, StorageBoundsAreBytesOrAPercentage) {
  EXPECT_EQ(ParseStorageSize("500g"), (StorageSize{500ull << 30, 0.0}));
  EXPECT_EQ(ParseStorageSize("2T"), (StorageSize{2ull << 40, 0.0}));
  EXPECT_EQ(ParseStorageSize("1048576"), (StorageSize{1048576, 0.0}));
  EXPECT_EQ(ParseStorageSize("80%"), (StorageSize{0, 80.0}));
  EXPECT_EQ(ParseStorageSize("80%")->BytesOf(1000), 800u);
  EXPECT_EQ(ParseStorageSize("5m")->BytesOf(1000), 5u << 20);
  for (const char* bad : {"", "0", "0g", "150%", "-1g", "1.5g", "1gb", " 1g", "%", "g", "ten"})
    EXPECT_EQ(ParseStorageSize(bad), std::nullopt) << bad;

  Config config = MustLoad(
      "storage:\n  recordings_max_size: 500g\n  clips_max_size: \"10%\"\n  min_free_space: 2g\n");
  EXPECT_EQ(config.storage.recordings_max_size, "500g");
  EXPECT_EQ(config.storage.clips_max_size, "10%");
  EXPECT_EQ(config.storage.min_free_space, "2g");
  EXPECT_EQ(MustLoad("cameras:\n" + MinimalCamera()).storage.recordings_max_size, "");

  LoadResult result =
      LoadYaml("storage:\n  recordings_max_size: lots\n  clips_max_size: \"200%\"\n");
  EXPECT_THAT(result.errors,
              ElementsAre(HasSubstr("storage.recordings_max_size: \"lots\" is not a size"),
                          HasSubstr("storage.clips_max_size: \"200%\" is not a size")));
}

}  // namespace
}  // namespace corvette::config
