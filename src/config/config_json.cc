#include "config/config_json.h"

#include "config/ffmpeg_command.h"
#include "util/strings.h"

namespace corvette::config {
namespace {

using Json = nlohmann::json;

Json RetainJson(const RetainConfig& retain) {
  return Json{{"default", retain.default_days}, {"objects", retain.objects}};
}

Json FilterJson(const FilterConfig& filter) {
  return Json{{"min_area", filter.min_area},
              {"max_area", filter.max_area},
              {"threshold", filter.threshold},
              {"min_score", filter.min_score},
              {"mask", filter.raw_mask}};
}

template <typename T>
Json OptionalJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json CameraJson(const Config& config, const CameraConfig& camera,
                const FfmpegCommandOptions& options) {
  Json zones = Json::object();
  for (const auto& zone : camera.zones) {
    Json filters = Json::object();
    for (const auto& [label, filter] : zone.filters)
      filters[label] = FilterJson(filter);
    zones[zone.name] = Json{{"filters", filters}, {"coordinates", zone.raw_coordinates}};
  }
  Json object_filters = Json::object();
  for (const auto& [label, filter] : camera.objects.filters) {
    object_filters[label] = FilterJson(filter);
  }
  Json ffmpeg_cmds = Json::array();
  for (const auto& command : FfmpegCommandsFor(config, camera, options)) {
    Json roles = Json::array();
    for (Role role : command.roles)
      roles.push_back(std::string(RoleName(role)));
    ffmpeg_cmds.push_back(
        Json{{"roles", roles}, {"cmd", RedactUrlPasswords(JoinCommand(command.argv))}});
  }
  return Json{
      {"name", camera.name},
      {"height", camera.height},
      {"width", camera.width},
      {"fps", OptionalJson(camera.fps)},
      {"best_image_timeout", camera.best_image_timeout},
      {"zones", zones},
      {"clips",
       {{"enabled", camera.clips.enabled},
        {"pre_capture", camera.clips.pre_capture},
        {"post_capture", camera.clips.post_capture},
        {"objects", OptionalJson(camera.clips.objects)},
        {"retain", RetainJson(camera.clips.retain)},
        {"required_zones", camera.clips.required_zones}}},
      {"record", {{"enabled", camera.record.enabled}, {"retain_days", camera.record.retain_days}}},
      {"rtmp", {{"enabled", camera.rtmp.enabled}}},
      {"snapshots",
       {{"enabled", camera.snapshots.enabled},
        {"timestamp", camera.snapshots.timestamp},
        {"bounding_box", camera.snapshots.bounding_box},
        {"crop", camera.snapshots.crop},
        {"height", OptionalJson(camera.snapshots.height)},
        {"retain", RetainJson(camera.snapshots.retain)},
        {"required_zones", camera.snapshots.required_zones}}},
      {"mqtt",
       {{"enabled", camera.mqtt.enabled},
        {"timestamp", camera.mqtt.timestamp},
        {"bounding_box", camera.mqtt.bounding_box},
        {"crop", camera.mqtt.crop},
        {"height", camera.mqtt.height},
        {"required_zones", camera.mqtt.required_zones}}},
      {"objects",
       {{"track", camera.objects.track},
        {"mask", camera.objects.raw_mask},
        {"filters", object_filters}}},
      {"motion",
       {{"mask", camera.motion.raw_mask},
        {"threshold", camera.motion.threshold},
        {"contour_area", camera.motion.contour_area},
        {"delta_alpha", camera.motion.delta_alpha},
        {"frame_alpha", camera.motion.frame_alpha},
        {"frame_height", camera.motion.frame_height}}},
      {"detect",
       {{"enabled", camera.detect.enabled},
        {"max_disappeared", camera.detect.max_disappeared},
        {"min_object_pixels", camera.detect.min_object_pixels}}},
      {"frame_shape", Json::array({camera.height, camera.width})},
      {"ffmpeg_cmds", ffmpeg_cmds},
  };
}

}  // namespace

nlohmann::json ToJson(const Config& config, const FfmpegCommandOptions& options) {
  Json detectors = Json::object();
  for (const auto& d : config.detectors) {
    detectors[d.name] = Json{{"type", std::string(DetectorTypeName(d.type))},
                             {"device", d.device},
                             {"num_threads", d.num_threads}};
  }
  // Without MQTT the section still has Frigate's defaults: Home Assistant reads topic_prefix and
  // client_id from it.
  MqttConfig mqtt = config.mqtt.value_or(MqttConfig{});
  Json mqtt_json{{"host", config.mqtt ? Json(mqtt.host) : Json(nullptr)},
                 {"port", mqtt.port},
                 {"topic_prefix", mqtt.topic_prefix},
                 {"client_id", mqtt.client_id},
                 {"user", OptionalJson(mqtt.user)},
                 {"stats_interval", mqtt.stats_interval}};
  Json logs = Json::object();
  for (const auto& [name, level] : config.logger.logs)
    logs[name] = util::ToUpper(level);
  Json cameras = Json::object();
  for (const auto& camera : config.cameras) {
    cameras[camera.name] = CameraJson(config, camera, options);
  }
  auto path_or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  return Json{
      {"database", {{"path", config.database.path}}},
      {"model",
       {{"width", config.model.width},
        {"height", config.model.height},
        {"path", path_or_null(config.model.path)},
        {"labelmap_path", path_or_null(config.model.labelmap_path)}}},
      {"detectors", detectors},
      {"mqtt", mqtt_json},
      {"clips",
       {{"max_seconds", config.clips.max_seconds},
        {"tmpfs_cache_size", config.clips.tmpfs_cache_size},
        {"retain", RetainJson(config.clips.retain)}}},
      {"snapshots", {{"retain", RetainJson(config.snapshots.retain)}}},
      {"cameras", cameras},
      {"logger", {{"default", util::ToUpper(config.logger.default_level)}, {"logs", logs}}},
      {"environment_vars", config.environment_vars},
      // corvette's extensions
      {"server", {{"host", config.server.host}, {"port", config.server.port}}},
      {"storage",
       {{"clips", config.storage.clips},
        {"recordings", config.storage.recordings},
        {"cache", config.storage.cache},
        {"recordings_max_size", config.storage.recordings_max_size},
        {"clips_max_size", config.storage.clips_max_size},
        {"min_free_space", config.storage.min_free_space}}},
      {"rtmp", {{"port", config.rtmp.port}}},
  };
}

}  // namespace corvette::config
