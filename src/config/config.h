#pragma once

// The fully resolved configuration of corvette: Frigate 0.8's config file (spec §2) with every
// default and inheritance rule applied, 0.8's config defects fixed (§13 items 16-17), plus
// corvette's extensions (server, storage, model.path/labelmap_path, rtmp.port; mqtt optional). See
// docs/config.md.
//
// A Config is a plain value: load it once, then share it read-only (copying is cheap enough for
// start-up).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corvette::config {

// A point in detect-stream pixel coordinates.
struct Point {
  int x = 0;
  int y = 0;
  friend bool operator==(const Point&, const Point&) = default;
};
using Polygon = std::vector<Point>;
// A mask is a union of polygons; the masked (ignored) area is the inside of the polygons.
using Mask = std::vector<Polygon>;

struct MqttConfig {
  std::string host;
  int port = 1883;
  std::string topic_prefix = "frigate";
  std::string client_id = "frigate";
  std::optional<std::string> user;      // {FRIGATE_*} substituted; absent = no authentication
  std::optional<std::string> password;  // {FRIGATE_*} substituted; never serialised
  int stats_interval = 60;              // seconds
};

struct DatabaseConfig {
  std::string path;  // default: <storage.clips>/frigate.db (= /media/frigate/clips/frigate.db)
};

struct ModelConfig {
  int width = 320;  // equal to height; with the built-in model, one of BuiltInModelSizes()
  int height = 320;
  std::string path;           // extension: model file; empty = the built-in model
  std::string labelmap_path;  // extension: labelmap file; empty = the built-in labelmap
};

enum class DetectorType { kCpu, kEdgeTpu };
std::string_view DetectorTypeName(DetectorType type);  // "cpu" / "edgetpu"

struct DetectorConfig {
  std::string name;
  // As configured. kEdgeTpu cannot run in this build: the app runs a CPU detector instead (the
  // loader adds a warning saying so).
  DetectorType type = DetectorType::kEdgeTpu;
  std::string device = "usb";
  int num_threads = 3;
  // Extension: what runs the network: "auto" (ONNX Runtime where its library loads, else OpenCV),
  // "onnxruntime" or "opencv".
  std::string runtime = "auto";
  // Extension: the arithmetic: "fp32" (the model as converted) or "int8" (the built-in model's
  // int8 version, calibrated on vtest frames at build time; ONNX Runtime only).
  std::string precision = "fp32";
};

struct LoggerConfig {
  std::string default_level = "info";       // lower case: debug, info, warning, error, critical
  std::map<std::string, std::string> logs;  // logger name -> level (lower case)
};

struct RetainConfig {
  int default_days = 10;               // key `default`
  std::map<std::string, int> objects;  // label -> days
};

struct GlobalClipsConfig {
  int max_seconds = 300;
  // "" = unset; else digits > 0 with an optional k/m/g/% suffix (checked by the loader): the size
  // of the tmpfs the app mounts on storage.cache.
  std::string tmpfs_cache_size;
  RetainConfig retain;
};

struct GlobalSnapshotsConfig {
  RetainConfig retain;
};

struct RecordConfig {
  bool enabled = false;
  int retain_days = 30;
};

// Extension: the HTTP server's listen address.
struct ServerConfig {
  std::string host = "0.0.0.0";
  int port = 5000;
};

// A storage bound as the config writes it: bytes (digits with an optional k, m, g or t suffix,
// powers of 1024, any case) or a percentage of the file system (1 to 100, then `%`).
struct StorageSize {
  std::uint64_t bytes = 0;  // when given in bytes
  double percent = 0.0;     // when given as a percentage (bytes is then 0)
  // The bound on a file system of `total_bytes`.
  std::uint64_t BytesOf(std::uint64_t total_bytes) const {
    return percent > 0.0 ? static_cast<std::uint64_t>(percent / 100.0 * total_bytes) : bytes;
  }
  bool operator==(const StorageSize&) const = default;
};
// nullopt when `text` is not such a size ("", "0", "5x", "150%", "-1g").
std::optional<StorageSize> ParseStorageSize(std::string_view text);

// Extension: where files go (Frigate's fixed paths by default), and how much they may take.
struct StorageConfig {
  std::string clips = "/media/frigate/clips";
  std::string recordings = "/media/frigate/recordings";
  std::string cache = "/tmp/cache";
  // Bounds as written ("" = none); docs/config.md "Storage bounds" says the order of sacrifice.
  std::string recordings_max_size;  // the 24/7 recordings together
  std::string clips_max_size;       // the event clips and snapshots together
  // The free space kept on the file system of each folder; "" = the smaller of 1 GiB and 5%.
  std::string min_free_space;
};

// Extension: the RTMP restream server.
struct RtmpServerConfig {
  int port = 1935;
};

enum class Role { kDetect, kClips, kRecord, kRtmp };
std::string_view RoleName(Role role);  // "detect", "clips", "record", "rtmp"

// ffmpeg arguments written as one string, as Frigate takes them: split at spaces (empty parts
// dropped).
std::vector<std::string> SplitArgs(std::string_view text);

// One camera input with its argument groups resolved (input -> camera -> global -> built-in; the
// built-in ones are the defaults here).
struct FfmpegInputConfig {
  std::string
      path;  // {FRIGATE_*} substituted (may contain credentials: never log or serve it unredacted)
  std::vector<Role> roles;
  std::vector<std::string> global_args = SplitArgs("-hide_banner -loglevel warning");
  std::vector<std::string> hwaccel_args;
  // Frigate's default with -timeout instead of -stimeout: Debian's ffmpeg 5.1 dropped -stimeout.
  std::vector<std::string> input_args = SplitArgs(
      "-avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp "
      "-timeout 5000000 -use_wallclock_as_timestamps 1");
  bool HasRole(Role role) const;
};

// The built-in output arguments are the defaults here.
struct FfmpegOutputArgs {
  std::vector<std::string> detect = SplitArgs("-f rawvideo -pix_fmt yuv420p");
  std::vector<std::string> record = SplitArgs(
      "-f segment -segment_time 60 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy "
      "-an");
  std::vector<std::string> clips = SplitArgs(
      "-f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy "
      "-an");
  std::vector<std::string> rtmp = SplitArgs("-c copy -f flv");
};

struct CameraFfmpegConfig {
  std::vector<FfmpegInputConfig> inputs;
  FfmpegOutputArgs output_args;
};

// Object filter (per label). Also used for zone filters, whose mask is always empty.
struct FilterConfig {
  int min_area = 0;
  int max_area = 24000000;
  double min_score = 0.5;
  double threshold = 0.7;
  // Mask strings as /api/config shows them (Frigate lists the objects-level mask first): camera
  // objects.mask, global objects.mask, the camera filter's mask, the global filter's mask.
  std::vector<std::string> raw_mask;
  // Effective mask for this label: the polygons of all of raw_mask (union).
  Mask mask;
};

struct ZoneConfig {
  std::string name;
  nlohmann::json raw_coordinates;  // as written: a string "x1,y1,..." or a list of "x,y" strings
  Polygon polygon;
  std::map<std::string, FilterConfig> filters;  // label -> filter; only labels listed in the config
};

struct ObjectsConfig {
  std::vector<std::string> track = {"person"};  // camera -> global -> this default
  // Objects-level mask as shown by /api/config: null, a string or a list of strings (camera and
  // global masks combined into one list when both are set).
  nlohmann::json raw_mask;
  Mask mask;                                    // camera + global polygons
  std::map<std::string, FilterConfig> filters;  // one entry per tracked label, no others
};

struct MotionConfig {
  nlohmann::json raw_mask;  // as ObjectsConfig::raw_mask
  Mask mask;                // camera + global polygons
  int threshold = 25;       // 1..255
  int contour_area = 100;
  double delta_alpha = 0.2;
  double frame_alpha = 0.2;
  int frame_height = 0;  // default: camera height / 6 (integer division)
};

struct CameraClipsConfig {
  bool enabled = false;                             // runtime-toggleable (MQTT)
  int pre_capture = 5;                              // seconds
  int post_capture = 5;                             // seconds
  std::optional<std::vector<std::string>> objects;  // nullopt = every tracked label
  RetainConfig retain;  // default inherits the global clips.retain (fixed)
  std::vector<std::string> required_zones;
};

struct CameraRtmpConfig {
  bool enabled = true;
};

struct CameraSnapshotsConfig {
  bool enabled = false;  // runtime-toggleable (MQTT)
  bool timestamp = false;
  bool bounding_box = false;
  bool crop = false;
  std::optional<int> height;  // nullopt = original size
  RetainConfig retain;        // default inherits the global snapshots.retain (fixed)
  std::vector<std::string> required_zones;
};

struct CameraMqttConfig {
  bool enabled = true;  // only the <cam>/<label>/snapshot image topic
  bool timestamp = true;
  bool bounding_box = true;
  bool crop = true;
  int height = 270;
  std::vector<std::string> required_zones;
};

struct DetectConfig {
  bool enabled = true;      // runtime-toggleable (MQTT)
  int max_disappeared = 0;  // frames; camera -> global -> fps * 5 (fps unset: 25)
  // corvette: regions merge while every tracked object in them stays at least this many model
  // input pixels large (detect::RegionPlan); 0 = Frigate 0.8's regions. camera -> global -> 48.
  int min_object_pixels = kDefaultMinObjectPixels;
  static constexpr int kDefaultMinObjectPixels = 48;
};

struct CameraConfig {
  std::string name;
  int width = 0;  // detect stream resolution
  int height = 0;
  std::optional<int> fps;
  int best_image_timeout = 60;  // seconds
  CameraFfmpegConfig ffmpeg;
  std::vector<ZoneConfig> zones;  // in file order
  CameraClipsConfig clips;
  RecordConfig record;  // inherits the global record section
  CameraRtmpConfig rtmp;
  CameraSnapshotsConfig snapshots;
  CameraMqttConfig mqtt;
  ObjectsConfig objects;
  MotionConfig motion;
  DetectConfig detect;

  const ZoneConfig* FindZone(std::string_view zone_name) const;
};

struct Config {
  std::optional<MqttConfig> mqtt;  // nullopt = run without MQTT
  DatabaseConfig database;
  ModelConfig model;
  std::vector<DetectorConfig> detectors;  // in file order; never empty
  LoggerConfig logger;
  GlobalClipsConfig clips;
  GlobalSnapshotsConfig snapshots;
  RecordConfig record;  // global defaults (cameras hold the resolved values)
  std::map<std::string, std::string> environment_vars;
  ServerConfig server;
  StorageConfig storage;
  RtmpServerConfig rtmp;
  std::vector<CameraConfig> cameras;  // in file order

  const CameraConfig* FindCamera(std::string_view camera_name) const;
};

enum class Format { kYaml, kJson };

struct LoadResult {
  std::optional<Config> config;       // set only when errors is empty
  std::vector<std::string> errors;    // every problem found, "<key path>: <what> (<expected>)"
  std::vector<std::string> warnings;  // problems that do not stop start-up
};

// Loads a config file: `.yml`/`.yaml` as YAML, `.json` as JSON, any other extension is an error.
// `environment` is the process environment (see ProcessEnvironment()); `{FRIGATE_*}` placeholders
// are substituted from it, overlaid by the file's own environment_vars (which win, as they are
// exported).
LoadResult LoadConfigFile(const std::string& path,
                          const std::map<std::string, std::string>& environment);

// As LoadConfigFile, from text. Errors in YAML syntax name the line and column (1-based).
LoadResult LoadConfigText(std::string_view text, Format format,
                          const std::map<std::string, std::string>& environment);

// The square input sizes the build converted the built-in model for (CORVETTE_MODEL_SIZES of
// tools/model.cmake), ascending; empty in a build that does not say.
std::vector<int> BuiltInModelSizes();

// The current process environment as a map (for LoadConfigFile's `environment`).
std::map<std::string, std::string> ProcessEnvironment();

// Exports config.environment_vars into the process environment (setenv, overwriting), as Frigate
// does. Not thread-safe with respect to other getenv/setenv users: call it at start-up before
// starting threads.
void ExportEnvironmentVars(const Config& config);

}  // namespace corvette::config
