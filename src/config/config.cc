#include "config/config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/document.h"
#include "config/env_substitution.h"
#include "config/polygon.h"
#include "config/schema_reader.h"
#include "util/strings.h"

extern char** environ;

namespace corvette::config {
namespace {

// Every default is the default of its field in config.h: a key the file leaves out keeps it.

using Args = std::vector<std::string>;

const std::vector<std::string> kLogLevels = {"debug", "info", "warning", "error", "critical"};

constexpr IntRange kPositive{1};
constexpr IntRange kNonNegative{0};
constexpr IntRange kPort{1, 65535};
constexpr NumberRange kFraction{0.0, 1.0};
constexpr NumberRange kAlpha{0.0, 1.0, /*min_exclusive=*/true};

// What one level (global or camera) says, before inheritance.

struct RetainSpec {
  std::optional<int> default_days;
  std::map<std::string, int> objects;
};

struct FilterSpec {
  std::optional<int> min_area;
  std::optional<int> max_area;
  std::optional<double> min_score;
  std::optional<double> threshold;
  ParsedMask mask;
};

struct ObjectsSpec {
  std::optional<std::vector<std::string>> track;
  ParsedMask mask;
  std::map<std::string, FilterSpec> filters;
  std::map<std::string, std::string> filter_paths;  // label -> key path, for messages
};

struct MotionSpec {
  ParsedMask mask;
  std::optional<int> threshold;
  std::optional<int> contour_area;
  std::optional<double> delta_alpha;
  std::optional<double> frame_alpha;
  std::optional<int> frame_height;
};

struct OutputArgsSpec {
  bool present = false;
  std::optional<Args> detect, record, clips, rtmp;
};

struct FfmpegSpec {
  std::optional<Args> global_args, hwaccel_args, input_args;
  OutputArgsSpec output_args;
};

struct GlobalSpec {
  FfmpegSpec ffmpeg;
  ObjectsSpec objects;
  MotionSpec motion;
  std::optional<int> max_disappeared;
  std::optional<int> min_object_pixels;
};

// A camera's live views are /api/<camera> and /api/<camera>/latest.jpg; Frigate 0.8's API has
// these fixed paths at the same place, and they win.
void WarnReservedCameraName(const std::string& name, const std::string& path, Diagnostics& diag) {
  static const std::set<std::string, std::less<>> kApiPaths = {"config", "events", "stats",
                                                               "version"};
  if (kApiPaths.contains(name)) {
    diag.Warning(fmt::format(
        "{}: \"{}\" is also an API path: /api/{} answers with that, not with this camera's live "
        "view (another camera name avoids the clash)",
        path, name, name));
  }
}

// Names become file names, URL path segments and MQTT topic levels.
void CheckName(const std::string& name, const std::string& path, Diagnostics& diag) {
  constexpr std::string_view kExpected =
      "a name without /, \\, +, #, control characters or a leading dot";
  if (name.empty()) {
    diag.Error(path, "empty name", kExpected);
    return;
  }
  if (name.front() == '.') {
    diag.Error(path, fmt::format("name \"{}\" starts with a dot", name), kExpected);
    return;
  }
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '+' || c == '#' ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      diag.Error(path, fmt::format("name \"{}\" contains a forbidden character", name), kExpected);
      return;
    }
  }
}

RetainSpec ReadRetain(MapReader& parent) {
  RetainSpec spec;
  MapReader r = parent.Map("retain");
  spec.default_days = r.Int("default", kNonNegative);
  for (const auto& [label, value] : r.Entries("objects")) {
    auto days = ReadInt(*value, JoinPath(r.KeyPath("objects"), label), kNonNegative, r.diag());
    if (days)
      spec.objects[label] = *days;
  }
  r.Finish();
  return spec;
}

FilterSpec ReadFilter(const Document* node, const std::string& path, Diagnostics& diag,
                      bool allow_mask) {
  FilterSpec spec;
  MapReader r(node, path, diag);
  spec.min_area = r.Int("min_area", kNonNegative);
  spec.max_area = r.Int("max_area", kNonNegative);
  spec.min_score = r.Number("min_score", kFraction);
  spec.threshold = r.Number("threshold", kFraction);
  if (allow_mask) {
    if (auto mask = ReadMask(r.Get("mask"), r.KeyPath("mask"), diag))
      spec.mask = std::move(*mask);
  }
  r.Finish();
  return spec;
}

ObjectsSpec ReadObjects(MapReader& parent) {
  ObjectsSpec spec;
  MapReader r = parent.Map("objects");
  spec.track = r.StringList("track");
  if (auto mask = ReadMask(r.Get("mask"), r.KeyPath("mask"), r.diag()))
    spec.mask = std::move(*mask);
  for (const auto& [label, value] : r.Entries("filters")) {
    std::string path = JoinPath(r.KeyPath("filters"), label);
    spec.filters[label] = ReadFilter(value, path, r.diag(), /*allow_mask=*/true);
    spec.filter_paths[label] = path;
  }
  r.Finish();
  return spec;
}

MotionSpec ReadMotion(MapReader& parent) {
  MotionSpec spec;
  MapReader r = parent.Map("motion");
  if (auto mask = ReadMask(r.Get("mask"), r.KeyPath("mask"), r.diag()))
    spec.mask = std::move(*mask);
  spec.threshold = r.Int("threshold", IntRange{1, 255});
  spec.contour_area = r.Int("contour_area", kNonNegative);
  spec.delta_alpha = r.Number("delta_alpha", kAlpha);
  spec.frame_alpha = r.Number("frame_alpha", kAlpha);
  spec.frame_height = r.Int("frame_height", kPositive);
  r.Finish();
  return spec;
}

// Reads the arg groups and output_args of an ffmpeg section; the caller reads `inputs` (camera
// level) and calls Finish().
FfmpegSpec ReadFfmpegArgs(MapReader& r) {
  FfmpegSpec spec;
  spec.global_args = r.Args("global_args");
  spec.hwaccel_args = r.Args("hwaccel_args");
  spec.input_args = r.Args("input_args");
  MapReader out = r.Map("output_args");
  spec.output_args.present = out.present();
  spec.output_args.detect = out.Args("detect");
  spec.output_args.record = out.Args("record");
  spec.output_args.clips = out.Args("clips");
  spec.output_args.rtmp = out.Args("rtmp");
  out.Finish();
  return spec;
}

const Document* RequireMap(MapReader& r, std::string_view key, std::string_view expected) {
  const Document* v = r.Get(key);
  if (v == nullptr)
    r.diag().Error(r.KeyPath(key), "missing", expected);
  return v;
}

std::optional<Role> ParseRole(const std::string& name) {
  if (name == "detect")
    return Role::kDetect;
  if (name == "clips")
    return Role::kClips;
  if (name == "record")
    return Role::kRecord;
  if (name == "rtmp")
    return Role::kRtmp;
  return std::nullopt;
}

// Camera mask strings first, then the global ones.
Document CombinedRawMask(const ParsedMask& camera, const ParsedMask& global) {
  if (global.strings.empty())
    return camera.raw;
  if (camera.strings.empty())
    return global.raw;
  Document list = Document::array();
  for (const auto& s : camera.strings)
    list.push_back(s);
  for (const auto& s : global.strings)
    list.push_back(s);
  return list;
}

Mask CombinedPolygons(const ParsedMask& camera, const ParsedMask& global) {
  Mask mask = camera.polygons;
  mask.insert(mask.end(), global.polygons.begin(), global.polygons.end());
  return mask;
}

nlohmann::json ToPlainJson(const Document& d) {
  return nlohmann::json::parse(d.dump());
}

RetainConfig ResolveRetain(const RetainSpec& camera, const RetainConfig& global) {
  RetainConfig out;
  out.default_days = camera.default_days.value_or(global.default_days);
  out.objects = global.objects;
  for (const auto& [label, days] : camera.objects)
    out.objects[label] = days;
  return out;
}

std::string FilePath(const std::string& dir, const std::string& file) {
  if (dir.empty())
    return file;
  if (dir.back() == '/')
    return dir + file;
  return dir + "/" + file;
}

// `field` gets the first argument group given (input, camera, global); with none it keeps its
// built-in default.
void PickArgs(Args& field, const std::optional<Args>& input, const std::optional<Args>& camera,
              const std::optional<Args>& global) {
  for (const std::optional<Args>* given : {&input, &camera, &global}) {
    if (*given) {
      field = **given;
      return;
    }
  }
}

std::vector<std::string> WithoutDuplicates(std::vector<std::string> messages) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (auto& m : messages) {
    if (seen.insert(m).second)
      out.push_back(std::move(m));
  }
  return out;
}

template <typename T>
T First(const std::optional<T>& a, const std::optional<T>& b, T fallback) {
  if (a)
    return *a;
  if (b)
    return *b;
  return fallback;
}

// A tmpfs size as mount(8) takes it and the config allows: digits (not all 0), then optionally
// k, m, g (any case) or %. The text goes into the mount options, so nothing else may pass.
bool IsTmpfsSize(std::string_view size) {
  if (!size.empty() && std::string_view("kKmMgG%").find(size.back()) != std::string_view::npos)
    size.remove_suffix(1);
  return !size.empty() && size.find_first_not_of("0123456789") == std::string_view::npos &&
         size.find_first_not_of('0') != std::string_view::npos;
}

}  // namespace

std::optional<StorageSize> ParseStorageSize(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  StorageSize size;
  std::uint64_t unit = 1;
  const char last = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
  bool percent = last == '%';
  if (percent || std::string_view("kmgt").find(last) != std::string_view::npos) {
    text.remove_suffix(1);
    unit = last == 'k'   ? 1ull << 10
           : last == 'm' ? 1ull << 20
           : last == 'g' ? 1ull << 30
           : last == 't' ? 1ull << 40
                         : 1;
  }
  if (text.empty() || text.size() > 12 ||
      text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::uint64_t number = std::stoull(std::string(text));
  if (number == 0)
    return std::nullopt;
  if (percent) {
    if (number > 100)
      return std::nullopt;
    size.percent = static_cast<double>(number);
  } else {
    size.bytes = number * unit;
  }
  return size;
}

namespace {

// "320", "320 or 416", "320, 416 or 512".
std::string DescribeSizes(const std::vector<int>& sizes) {
  std::string out;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0)
      out += i + 1 == sizes.size() ? " or " : ", ";
    out += std::to_string(sizes[i]);
  }
  return out;
}

// Sets `field` to what the file says; a key that is absent (or wrong) leaves the default.
template <typename T, typename U>
void Set(T& field, std::optional<U> value) {
  if (value)
    field = std::move(*value);
}

// A filter's values: camera -> global -> FilterConfig's defaults (masks are the caller's).
FilterConfig ResolveFilterValues(const FilterSpec& camera, const FilterSpec& global) {
  FilterConfig f;
  f.min_area = First(camera.min_area, global.min_area, f.min_area);
  f.max_area = First(camera.max_area, global.max_area, f.max_area);
  f.min_score = First(camera.min_score, global.min_score, f.min_score);
  f.threshold = First(camera.threshold, global.threshold, f.threshold);
  return f;
}

RecordConfig ReadRecord(MapReader& parent, const RecordConfig& inherited) {
  RecordConfig record = inherited;
  MapReader r = parent.Map("record");
  Set(record.enabled, r.Bool("enabled"));
  Set(record.retain_days, r.Int("retain_days", kNonNegative));
  r.Finish();
  return record;
}

// Camera sections (the ffmpeg section and zones are the Loader's: they need its state).

CameraClipsConfig ReadCameraClips(MapReader& camera, const GlobalClipsConfig& global) {
  CameraClipsConfig clips;
  MapReader r = camera.Map("clips");
  Set(clips.enabled, r.Bool("enabled"));
  Set(clips.pre_capture, r.Int("pre_capture", kNonNegative));
  Set(clips.post_capture, r.Int("post_capture", kNonNegative));
  clips.objects = r.StringList("objects");
  clips.retain = ResolveRetain(ReadRetain(r), global.retain);
  Set(clips.required_zones, r.StringList("required_zones"));
  r.Finish();
  return clips;
}

CameraRtmpConfig ReadCameraRtmp(MapReader& camera) {
  CameraRtmpConfig rtmp;
  MapReader r = camera.Map("rtmp");
  Set(rtmp.enabled, r.Bool("enabled"));
  r.Finish();
  return rtmp;
}

CameraSnapshotsConfig ReadCameraSnapshots(MapReader& camera, const GlobalSnapshotsConfig& global) {
  CameraSnapshotsConfig snapshots;
  MapReader r = camera.Map("snapshots");
  Set(snapshots.enabled, r.Bool("enabled"));
  Set(snapshots.timestamp, r.Bool("timestamp"));
  Set(snapshots.bounding_box, r.Bool("bounding_box"));
  Set(snapshots.crop, r.Bool("crop"));
  snapshots.height = r.Int("height", kPositive);
  snapshots.retain = ResolveRetain(ReadRetain(r), global.retain);
  Set(snapshots.required_zones, r.StringList("required_zones"));
  r.Finish();
  return snapshots;
}

CameraMqttConfig ReadCameraMqtt(MapReader& camera) {
  CameraMqttConfig mqtt;
  MapReader r = camera.Map("mqtt");
  Set(mqtt.enabled, r.Bool("enabled"));
  Set(mqtt.timestamp, r.Bool("timestamp"));
  Set(mqtt.bounding_box, r.Bool("bounding_box"));
  Set(mqtt.crop, r.Bool("crop"));
  Set(mqtt.height, r.Int("height", kPositive));
  Set(mqtt.required_zones, r.StringList("required_zones"));
  r.Finish();
  return mqtt;
}

MotionConfig ReadCameraMotion(MapReader& camera, const MotionSpec& global, int camera_height) {
  MotionSpec spec = ReadMotion(camera);
  MotionConfig motion;
  motion.raw_mask = ToPlainJson(CombinedRawMask(spec.mask, global.mask));
  motion.mask = CombinedPolygons(spec.mask, global.mask);
  motion.threshold = First(spec.threshold, global.threshold, motion.threshold);
  motion.contour_area = First(spec.contour_area, global.contour_area, motion.contour_area);
  motion.delta_alpha = First(spec.delta_alpha, global.delta_alpha, motion.delta_alpha);
  motion.frame_alpha = First(spec.frame_alpha, global.frame_alpha, motion.frame_alpha);
  motion.frame_height =
      First(spec.frame_height, global.frame_height, std::max(1, camera_height / 6));
  return motion;
}

DetectConfig ReadCameraDetect(MapReader& camera, const GlobalSpec& global, std::optional<int> fps) {
  DetectConfig detect;
  MapReader r = camera.Map("detect");
  Set(detect.enabled, r.Bool("enabled"));
  detect.max_disappeared =
      First(r.Int("max_disappeared", kPositive), global.max_disappeared, fps.value_or(5) * 5);
  detect.min_object_pixels = First(r.Int("min_object_pixels", kNonNegative),
                                   global.min_object_pixels, DetectConfig::kDefaultMinObjectPixels);
  r.Finish();
  return detect;
}

class Loader {
 public:
  Loader(const Document& root, const std::map<std::string, std::string>& environment)
      : root_(root), environment_(environment) {}

  LoadResult Load() {
    Config config;
    MapReader r(&root_, "", diag_);

    // Read environment_vars first: they feed substitution below.
    for (const auto& [name, value] : r.Entries("environment_vars")) {
      std::string path = JoinPath("environment_vars", name);
      if (name.empty())
        diag_.Error(path, "empty variable name", "a variable name");
      if (value->is_number_integer()) {
        config.environment_vars[name] = value->dump();
      } else if (auto s = ReadString(*value, path, diag_)) {
        config.environment_vars[name] = *s;
      }
    }
    variables_ = SubstitutionVariables(environment_, config.environment_vars);

    ReadMqtt(r, config);
    ReadServer(r, config);
    ReadStorage(r, config);
    ReadRtmpServer(r, config);
    ReadDatabase(r, config);
    ReadModel(r, config);
    ReadDetectors(r, config);
    ReadLogger(r, config);
    ReadGlobalClips(r, config);
    ReadGlobalSnapshots(r, config);
    config.record = ReadRecord(r, config.record);
    GlobalSpec global = ReadGlobalSpec(r);

    auto cameras = r.Entries("cameras");
    for (const auto& entry : cameras)
      camera_names_.insert(entry.first);
    for (const auto& [name, node] : cameras) {
      if (auto camera = ReadCamera(name, node, config, global)) {
        config.cameras.push_back(std::move(*camera));
      }
    }
    r.Finish();
    if (cameras.empty())
      diag_.Warning("cameras: no cameras are configured");

    LoadResult result;
    // A global setting that is wrong for several cameras is reported once.
    result.errors = WithoutDuplicates(diag_.TakeErrors());
    result.warnings = WithoutDuplicates(diag_.TakeWarnings());
    if (result.errors.empty())
      result.config = std::move(config);
    return result;
  }

 private:
  std::optional<std::string> Substitute(const std::string& text, const std::string& path) {
    return SubstituteEnvironment(text, variables_, path, diag_);
  }

  void ReadMqtt(MapReader& r, Config& config) {
    MapReader m = r.Map("mqtt");
    if (!m.present())
      return;  // no MQTT
    MqttConfig mqtt;
    m.Require("host", "the MQTT broker's host name or address");
    Set(mqtt.host, m.String("host", false));
    Set(mqtt.port, m.Int("port", kPort));
    Set(mqtt.topic_prefix, m.String("topic_prefix", false));
    Set(mqtt.client_id, m.String("client_id", false));
    Set(mqtt.stats_interval, m.Int("stats_interval", kPositive));
    if (auto user = m.String("user"))
      mqtt.user = Substitute(*user, m.KeyPath("user"));
    if (auto password = m.String("password")) {
      mqtt.password = Substitute(*password, m.KeyPath("password"));
    }
    if (mqtt.topic_prefix.find_first_of("+#") != std::string::npos) {
      diag_.Error(m.KeyPath("topic_prefix"), "contains an MQTT wildcard (+ or #)",
                  "a topic prefix without wildcards");
    }
    m.Finish();
    config.mqtt = std::move(mqtt);
  }

  void ReadServer(MapReader& r, Config& config) {
    MapReader server = r.Map("server");
    Set(config.server.host, server.String("host", false));
    Set(config.server.port, server.Int("port", kPort));
    server.Finish();
  }

  void ReadStorage(MapReader& r, Config& config) {
    MapReader storage = r.Map("storage");
    Set(config.storage.clips, storage.String("clips", false));
    Set(config.storage.recordings, storage.String("recordings", false));
    Set(config.storage.cache, storage.String("cache", false));
    for (auto [key, field] : {std::pair{"recordings_max_size", &config.storage.recordings_max_size},
                              std::pair{"clips_max_size", &config.storage.clips_max_size},
                              std::pair{"min_free_space", &config.storage.min_free_space}}) {
      if (auto size = storage.String(key)) {
        if (ParseStorageSize(*size)) {
          *field = *size;
        } else {
          diag_.Error(storage.KeyPath(key), fmt::format("\"{}\" is not a size", *size),
                      "bytes with an optional k, m, g or t suffix (\"500g\"), or a percentage of "
                      "the file system (\"80%\")");
        }
      }
    }
    storage.Finish();
  }

  void ReadRtmpServer(MapReader& r, Config& config) {
    MapReader rtmp = r.Map("rtmp");
    Set(config.rtmp.port, rtmp.Int("port", kPort));
    rtmp.Finish();
  }

  // After ReadStorage: the database's default is in storage.clips.
  void ReadDatabase(MapReader& r, Config& config) {
    MapReader db = r.Map("database");
    config.database.path =
        db.String("path", false).value_or(FilePath(config.storage.clips, "frigate.db"));
    db.Finish();
  }

  void ReadGlobalClips(MapReader& r, Config& config) {
    MapReader clips = r.Map("clips");
    Set(config.clips.max_seconds, clips.Int("max_seconds", kPositive));
    if (auto size = clips.String("tmpfs_cache_size")) {
      if (size->empty() || IsTmpfsSize(*size)) {
        config.clips.tmpfs_cache_size = *size;
      } else {
        diag_.Error(clips.KeyPath("tmpfs_cache_size"), fmt::format("\"{}\" is not a size", *size),
                    "a size such as 256m, 1g or 10%: digits > 0, then optionally k, m, g or %");
      }
    }
    config.clips.retain = ResolveRetain(ReadRetain(clips), config.clips.retain);
    clips.Finish();
  }

  void ReadGlobalSnapshots(MapReader& r, Config& config) {
    MapReader snapshots = r.Map("snapshots");
    config.snapshots.retain = ResolveRetain(ReadRetain(snapshots), config.snapshots.retain);
    snapshots.Finish();
  }

  // The sections that only give cameras their defaults: ffmpeg, objects, motion, detect.
  GlobalSpec ReadGlobalSpec(MapReader& r) {
    GlobalSpec global;
    MapReader ffmpeg = r.Map("ffmpeg");
    global.ffmpeg = ReadFfmpegArgs(ffmpeg);
    ffmpeg.Finish();
    global.objects = ReadObjects(r);
    global.motion = ReadMotion(r);
    MapReader detect = r.Map("detect");
    global.max_disappeared = detect.Int("max_disappeared", kPositive);
    global.min_object_pixels = detect.Int("min_object_pixels", kNonNegative);
    detect.Finish();
    return global;
  }

  void ReadModel(MapReader& r, Config& config) {
    MapReader model = r.Map("model");
    Set(config.model.width, model.Int("width", kPositive));
    Set(config.model.height, model.Int("height", kPositive));
    Set(config.model.path, model.String("path"));
    Set(config.model.labelmap_path, model.String("labelmap_path"));
    CheckModelSize(model, config.model);
    model.Finish();
  }

  // The detector runs a square network at one size: with the built-in model, a size the build
  // converted it for; with model.path, a multiple of 32 (NanoDet's strides are 8, 16 and 32).
  void CheckModelSize(const MapReader& r, const ModelConfig& model) {
    const std::vector<int> sizes = BuiltInModelSizes();
    const bool built_in = model.path.empty() && !sizes.empty();
    bool ok = true;
    for (auto [key, value] : {std::pair{"width", model.width}, std::pair{"height", model.height}}) {
      if (built_in && std::find(sizes.begin(), sizes.end(), value) == sizes.end()) {
        diag_.Error(r.KeyPath(key),
                    fmt::format("{} is not a size the built-in model is converted for", value),
                    DescribeSizes(sizes));
        ok = false;
      } else if (!built_in && value % 32 != 0) {
        diag_.Error(r.KeyPath(key), fmt::format("{} is not a multiple of 32", value),
                    "a multiple of 32, the input size of the model in model.path");
        ok = false;
      }
    }
    if (ok && model.width != model.height) {
      diag_.Error(r.KeyPath("height"),
                  fmt::format("{} differs from model.width {}", model.height, model.width),
                  "the same size as model.width: the model's input is square");
    }
  }

  void ReadDetectors(MapReader& r, Config& config) {
    bool given = r.Has("detectors");
    auto entries = r.Entries("detectors");
    if (given && entries.empty() && r.Get("detectors")->is_object()) {
      diag_.Error("detectors", "no detector", "at least one detector, e.g. {cpu: {type: cpu}}");
    }
    for (const auto& [name, node] : entries) {
      std::string path = JoinPath("detectors", name);
      CheckName(name, path, diag_);
      DetectorConfig detector;
      detector.name = name;
      MapReader d(node, path, diag_);
      if (auto type = d.String("type")) {
        if (*type == "cpu") {
          detector.type = DetectorType::kCpu;
        } else if (*type == "edgetpu") {
          detector.type = DetectorType::kEdgeTpu;
        } else {
          diag_.Error(d.KeyPath("type"), fmt::format("unknown detector type \"{}\"", *type),
                      "cpu or edgetpu");
        }
      }
      Set(detector.device, d.String("device"));
      Set(detector.num_threads, d.Int("num_threads", kPositive));
      if (auto runtime = d.String("runtime")) {
        if (*runtime == "auto" || *runtime == "onnxruntime" || *runtime == "opencv") {
          detector.runtime = *runtime;
        } else {
          diag_.Error(d.KeyPath("runtime"),
                      fmt::format("unknown detector runtime \"{}\"", *runtime),
                      "auto, onnxruntime or opencv");
        }
      }
      if (auto precision = d.String("precision")) {
        if (*precision == "fp32" || *precision == "int8") {
          detector.precision = *precision;
        } else {
          diag_.Error(d.KeyPath("precision"),
                      fmt::format("unknown detector precision \"{}\"", *precision), "fp32 or int8");
        }
      }
      if (detector.precision == "int8" && detector.runtime == "opencv") {
        diag_.Error(d.KeyPath("precision"), "int8 runs on ONNX Runtime only, not on runtime opencv",
                    "runtime: onnxruntime or auto, or precision: fp32");
      }
      if (detector.precision == "int8" && !config.model.path.empty()) {
        diag_.Error(d.KeyPath("precision"),
                    "int8 is the built-in model's int8 version, and model.path names another model",
                    "precision: fp32 with model.path, or no model.path");
      }
      d.Finish();
      if (detector.type == DetectorType::kEdgeTpu) {
        diag_.Warning(
            fmt::format("{}.type: edgetpu cannot run in this build; using a CPU detector", path));
      }
      config.detectors.push_back(std::move(detector));
    }
    if (!given) {
      // Frigate 0.8's default detector (kept so Home Assistant's entity names stay the same).
      DetectorConfig detector;
      detector.name = "coral";
      config.detectors.push_back(detector);
      diag_.Warning(
          "detectors: none configured; Frigate's default is the edgetpu detector \"coral\", which "
          "cannot run in this build; using a CPU detector");
    }
  }

  void ReadLogger(MapReader& r, Config& config) {
    MapReader logger = r.Map("logger");
    auto level = [&](const Document& value, const std::string& path) -> std::optional<std::string> {
      auto s = ReadString(value, path, diag_);
      if (!s)
        return std::nullopt;
      std::string lower = util::ToLower(*s);
      if (std::find(kLogLevels.begin(), kLogLevels.end(), lower) == kLogLevels.end()) {
        diag_.Error(path, fmt::format("unknown log level \"{}\"", *s),
                    "debug, info, warning, error or critical");
        return std::nullopt;
      }
      return lower;
    };
    if (const Document* d = logger.Get("default"))
      Set(config.logger.default_level, level(*d, logger.KeyPath("default")));
    for (const auto& [name, value] : logger.Entries("logs")) {
      if (auto l = level(*value, JoinPath(logger.KeyPath("logs"), name)))
        config.logger.logs[name] = *l;
    }
    logger.Finish();
  }

  std::optional<FfmpegInputConfig> ReadInput(const Document& node, const std::string& path,
                                             const FfmpegSpec& camera, const FfmpegSpec& global) {
    MapReader in(&node, path, diag_);
    FfmpegInputConfig input;
    bool ok = true;
    in.Require("path", "the input's URL or file path");
    if (auto p = in.String("path", false)) {
      if (auto s = Substitute(*p, in.KeyPath("path"))) {
        input.path = *s;
      } else {
        ok = false;
      }
    }
    in.Require("roles", "a list of roles: detect, clips, record, rtmp");
    if (const Document* roles = in.Get("roles")) {
      if (auto names = ReadStringList(*roles, in.KeyPath("roles"), diag_)) {
        for (size_t i = 0; i < names->size(); ++i) {
          auto role = ParseRole((*names)[i]);
          if (!role) {
            diag_.Error(IndexPath(in.KeyPath("roles"), i),
                        fmt::format("unknown role \"{}\"", (*names)[i]),
                        "detect, clips, record, rtmp");
            ok = false;
            continue;
          }
          input.roles.push_back(*role);
        }
      }
    }
    auto global_args = in.Args("global_args");
    auto hwaccel_args = in.Args("hwaccel_args");
    auto input_args = in.Args("input_args");
    in.Finish();
    PickArgs(input.global_args, global_args, camera.global_args, global.global_args);
    PickArgs(input.hwaccel_args, hwaccel_args, camera.hwaccel_args, global.hwaccel_args);
    PickArgs(input.input_args, input_args, camera.input_args, global.input_args);
    if (!ok)
      return std::nullopt;
    return input;
  }

  // Filters resolve per field camera -> global -> default, for every tracked label and no other.
  ObjectsConfig ResolveObjects(const ObjectsSpec& camera, const ObjectsSpec& global) {
    ObjectsConfig out;
    out.track = First(camera.track, global.track, out.track);
    out.raw_mask = ToPlainJson(CombinedRawMask(camera.mask, global.mask));
    out.mask = CombinedPolygons(camera.mask, global.mask);
    static const FilterSpec kNone;
    for (const auto& label : out.track) {
      auto c = camera.filters.find(label);
      auto g = global.filters.find(label);
      const FilterSpec& cf = c == camera.filters.end() ? kNone : c->second;
      const FilterSpec& gf = g == global.filters.end() ? kNone : g->second;
      FilterConfig f = ResolveFilterValues(cf, gf);
      // As Frigate: a filter's mask list starts with the objects-level mask.
      f.raw_mask.insert(f.raw_mask.end(), camera.mask.strings.begin(), camera.mask.strings.end());
      f.raw_mask.insert(f.raw_mask.end(), global.mask.strings.begin(), global.mask.strings.end());
      f.raw_mask.insert(f.raw_mask.end(), cf.mask.strings.begin(), cf.mask.strings.end());
      f.raw_mask.insert(f.raw_mask.end(), gf.mask.strings.begin(), gf.mask.strings.end());
      f.mask = out.mask;
      f.mask.insert(f.mask.end(), cf.mask.polygons.begin(), cf.mask.polygons.end());
      f.mask.insert(f.mask.end(), gf.mask.polygons.begin(), gf.mask.polygons.end());
      if (f.min_area > f.max_area) {
        auto path = camera.filter_paths.count(label)   ? camera.filter_paths.at(label)
                    : global.filter_paths.count(label) ? global.filter_paths.at(label)
                                                       : std::string("objects.filters");
        diag_.Error(path,
                    fmt::format("min_area {} is larger than max_area {}", f.min_area, f.max_area),
                    "min_area <= max_area");
      }
      out.filters[label] = std::move(f);
    }
    return out;
  }

  void WarnOutside(const Mask& mask, const std::string& path, const CameraConfig& camera) {
    for (const Polygon& p : mask) {
      if (PolygonOutside(p, camera.width, camera.height)) {
        diag_.Warning(
            fmt::format("{}: has points outside the {}x{} frame (a mask for another "
                        "resolution?)",
                        path, camera.width, camera.height));
        return;
      }
    }
  }

  void WarnUnknownZones(const std::vector<std::string>& zones, const std::string& path,
                        const CameraConfig& camera) {
    for (size_t i = 0; i < zones.size(); ++i) {
      if (camera.FindZone(zones[i]) == nullptr) {
        diag_.Warning(fmt::format("{}: \"{}\" is not a zone of camera {} (nothing can be saved)",
                                  IndexPath(path, i), zones[i], camera.name));
      }
    }
  }

  void WarnRoles(const CameraConfig& camera, const std::string& path) {
    auto has = [&](Role role) {
      return std::any_of(camera.ffmpeg.inputs.begin(), camera.ffmpeg.inputs.end(),
                         [&](const FfmpegInputConfig& in) { return in.HasRole(role); });
    };
    if (has(Role::kRecord) && !camera.record.enabled) {
      diag_.Warning(fmt::format(
          "{}.record.enabled: an input has the record role but record is not enabled (nothing is "
          "recorded)",
          path));
    }
    if (!has(Role::kRecord) && camera.record.enabled) {
      diag_.Warning(fmt::format(
          "{}.record.enabled: record is enabled but no input has the record role (nothing is "
          "recorded)",
          path));
    }
    if (has(Role::kClips) && !camera.clips.enabled) {
      diag_.Warning(fmt::format(
          "{}.clips.enabled: an input has the clips role but clips are not enabled (they can be "
          "turned on over MQTT)",
          path));
    }
    if (!has(Role::kClips) && camera.clips.enabled) {
      diag_.Warning(
          fmt::format("{}.clips.enabled: clips are enabled but no input has the clips role (no "
                      "clips are saved)",
                      path));
    }
    if (has(Role::kRtmp) && !camera.rtmp.enabled) {
      diag_.Warning(fmt::format(
          "{}.rtmp.enabled: an input has the rtmp role but rtmp is not enabled (no restream)",
          path));
    }
    if (!has(Role::kRtmp) && camera.rtmp.enabled) {
      diag_.Warning(fmt::format(
          "{}.rtmp.enabled: rtmp is enabled but no input has the rtmp role (no restream)", path));
    }
  }

  CameraFfmpegConfig ReadCameraFfmpeg(MapReader& c, const FfmpegSpec& global) {
    CameraFfmpegConfig ffmpeg;
    const Document* ffmpeg_node =
        RequireMap(c, "ffmpeg", "an ffmpeg section with a list of inputs");
    MapReader f(ffmpeg_node, c.KeyPath("ffmpeg"), diag_);
    FfmpegSpec spec = ReadFfmpegArgs(f);
    if (ffmpeg_node != nullptr)
      f.Require("inputs", "a list of inputs, one with the detect role");
    const Document* inputs = f.List("inputs");
    f.Finish();
    if (inputs != nullptr) {
      std::map<Role, size_t> role_owner;
      bool detect = false;
      for (size_t i = 0; i < inputs->size(); ++i) {
        std::string input_path = IndexPath(f.KeyPath("inputs"), i);
        auto input = ReadInput((*inputs)[i], input_path, spec, global);
        if (!input)
          continue;
        for (size_t k = 0; k < input->roles.size(); ++k) {
          Role role = input->roles[k];
          detect = detect || role == Role::kDetect;
          auto [it, inserted] = role_owner.emplace(role, i);
          if (!inserted) {
            diag_.Error(IndexPath(JoinPath(input_path, "roles"), k),
                        fmt::format("role \"{}\" is already used by inputs[{}]", RoleName(role),
                                    it->second),
                        "each role on one input at most");
          }
        }
        ffmpeg.inputs.push_back(std::move(*input));
      }
      if (inputs->empty()) {
        diag_.Error(f.KeyPath("inputs"), "no inputs", "a list of inputs, one with the detect role");
      } else if (!detect && ffmpeg.inputs.size() == inputs->size()) {
        diag_.Error(f.KeyPath("inputs"), "no input has the detect role",
                    "exactly one input with the detect role");
      }
    }
    // A camera-level output_args replaces the whole global map; missing keys get the built-in
    // defaults, not the global values (Frigate 0.8 behaviour).
    const OutputArgsSpec& out = spec.output_args.present ? spec.output_args : global.output_args;
    Set(ffmpeg.output_args.detect, out.detect);
    Set(ffmpeg.output_args.record, out.record);
    Set(ffmpeg.output_args.clips, out.clips);
    Set(ffmpeg.output_args.rtmp, out.rtmp);
    return ffmpeg;
  }

  // After the camera's size: coordinates outside the frame are reported.
  std::vector<ZoneConfig> ReadZones(MapReader& c, const CameraConfig& camera) {
    std::vector<ZoneConfig> zones;
    for (const auto& [zone_name, zone_node] : c.Entries("zones")) {
      std::string zone_path = JoinPath(c.KeyPath("zones"), zone_name);
      CheckName(zone_name, zone_path, diag_);
      if (camera_names_.count(zone_name) != 0) {
        diag_.Error(zone_path, "zone name is also a camera name",
                    "zone names that differ from every camera name");
      }
      ZoneConfig zone;
      zone.name = zone_name;
      MapReader z(zone_node, zone_path, diag_);
      z.Require("coordinates", "\"x1,y1,x2,y2,...\" or a list of \"x,y\" strings");
      if (const Document* coordinates = z.Get("coordinates")) {
        zone.raw_coordinates = ToPlainJson(*coordinates);
        if (auto polygon = ReadZoneCoordinates(*coordinates, z.KeyPath("coordinates"), diag_)) {
          zone.polygon = std::move(*polygon);
          if (PolygonOutside(zone.polygon, camera.width, camera.height) && camera.width > 0) {
            diag_.Warning(fmt::format("{}: has points outside the {}x{} frame",
                                      z.KeyPath("coordinates"), camera.width, camera.height));
          }
        }
      }
      for (const auto& [label, filter_node] : z.Entries("filters")) {
        FilterSpec spec = ReadFilter(filter_node, JoinPath(z.KeyPath("filters"), label), diag_,
                                     /*allow_mask=*/false);
        zone.filters[label] = ResolveFilterValues(spec, FilterSpec{});
      }
      z.Finish();
      zones.push_back(std::move(zone));
    }

    return zones;
  }

  std::optional<CameraConfig> ReadCamera(const std::string& name, const Document* node,
                                         const Config& config, const GlobalSpec& global) {
    const std::string path = JoinPath("cameras", name);
    const size_t errors_before = diag_.errors().size();
    CheckName(name, path, diag_);
    WarnReservedCameraName(name, path, diag_);
    CameraConfig camera;
    camera.name = name;
    MapReader c(node, path, diag_);
    if (!c.present()) {
      diag_.Error(path, "empty camera", "a map with ffmpeg, width and height");
      return std::nullopt;
    }

    // Size first: masks and defaults depend on it.
    constexpr std::string_view kSizeExpected = "an even integer >= 2, the detect stream's size";
    constexpr std::string_view kEvenExpected = "an even integer: yuv420p frames need even sizes";
    c.Require("width", kSizeExpected);
    c.Require("height", kSizeExpected);
    Set(camera.width, c.Int("width", IntRange{2}));
    Set(camera.height, c.Int("height", IntRange{2}));
    for (auto [key, value] :
         {std::pair{"width", camera.width}, std::pair{"height", camera.height}}) {
      if (value % 2 != 0) {
        diag_.Error(c.KeyPath(key), fmt::format("{} is odd", value), kEvenExpected);
      }
    }
    camera.fps = c.Int("fps", kPositive);
    Set(camera.best_image_timeout, c.Int("best_image_timeout", kNonNegative));

    camera.ffmpeg = ReadCameraFfmpeg(c, global.ffmpeg);
    camera.zones = ReadZones(c, camera);
    camera.clips = ReadCameraClips(c, config.clips);
    camera.record = ReadRecord(c, config.record);
    camera.rtmp = ReadCameraRtmp(c);
    camera.snapshots = ReadCameraSnapshots(c, config.snapshots);
    camera.mqtt = ReadCameraMqtt(c);
    camera.objects = ResolveObjects(ReadObjects(c), global.objects);
    camera.motion = ReadCameraMotion(c, global.motion, camera.height);
    camera.detect = ReadCameraDetect(c, global, camera.fps);
    c.Finish();

    if (diag_.errors().size() != errors_before)
      return std::nullopt;

    // Warnings that need the resolved camera.
    WarnOutside(camera.objects.mask, JoinPath(path, "objects.mask"), camera);
    WarnOutside(camera.motion.mask, JoinPath(path, "motion.mask"), camera);
    for (const auto& [label, filter] : camera.objects.filters) {
      WarnOutside(filter.mask, JoinPath(path, "objects.filters." + label + ".mask"), camera);
    }
    WarnUnknownZones(camera.clips.required_zones, JoinPath(path, "clips.required_zones"), camera);
    WarnUnknownZones(camera.snapshots.required_zones, JoinPath(path, "snapshots.required_zones"),
                     camera);
    WarnUnknownZones(camera.mqtt.required_zones, JoinPath(path, "mqtt.required_zones"), camera);
    if (camera.clips.objects) {
      for (size_t i = 0; i < camera.clips.objects->size(); ++i) {
        const std::string& label = (*camera.clips.objects)[i];
        if (std::find(camera.objects.track.begin(), camera.objects.track.end(), label) ==
            camera.objects.track.end()) {
          diag_.Warning(fmt::format("{}: \"{}\" is not a tracked object (objects.track)",
                                    IndexPath(JoinPath(path, "clips.objects"), i), label));
        }
      }
    }
    WarnRoles(camera, path);
    return camera;
  }

  const Document& root_;
  const std::map<std::string, std::string>& environment_;
  std::map<std::string, std::string> variables_;
  std::set<std::string> camera_names_;
  Diagnostics diag_;
};

}  // namespace

std::string_view DetectorTypeName(DetectorType type) {
  return type == DetectorType::kCpu ? "cpu" : "edgetpu";
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kDetect:
      return "detect";
    case Role::kClips:
      return "clips";
    case Role::kRecord:
      return "record";
    case Role::kRtmp:
      return "rtmp";
  }
  return "";
}

std::vector<std::string> SplitArgs(std::string_view text) {
  std::vector<std::string_view> parts = util::SplitNonEmpty(text, " ");
  return {parts.begin(), parts.end()};
}

bool FfmpegInputConfig::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const ZoneConfig* CameraConfig::FindZone(std::string_view zone_name) const {
  for (const auto& z : zones) {
    if (z.name == zone_name)
      return &z;
  }
  return nullptr;
}

const CameraConfig* Config::FindCamera(std::string_view camera_name) const {
  for (const auto& c : cameras) {
    if (c.name == camera_name)
      return &c;
  }
  return nullptr;
}

LoadResult LoadConfigText(std::string_view text, Format format,
                          const std::map<std::string, std::string>& environment) {
  ParsedDocument parsed = format == Format::kYaml ? ParseYaml(text) : ParseJson(text);
  if (!parsed.errors.empty())
    return LoadResult{std::nullopt, std::move(parsed.errors), std::move(parsed.warnings)};
  Loader loader(parsed.root, environment);
  LoadResult result = loader.Load();
  result.warnings.insert(result.warnings.begin(), parsed.warnings.begin(), parsed.warnings.end());
  return result;
}

LoadResult LoadConfigFile(const std::string& path,
                          const std::map<std::string, std::string>& environment) {
  Format format;
  if (util::EndsWithIgnoreCase(path, ".yml") || util::EndsWithIgnoreCase(path, ".yaml")) {
    format = Format::kYaml;
  } else if (util::EndsWithIgnoreCase(path, ".json")) {
    format = Format::kJson;
  } else {
    return LoadResult{std::nullopt,
                      {fmt::format("{}: unsupported file name extension (expected .yml, .yaml or "
                                   ".json)",
                                   path)},
                      {}};
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return LoadResult{
        std::nullopt, {fmt::format("{}: cannot open ({})", path, std::strerror(errno))}, {}};
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) {
    return LoadResult{std::nullopt, {fmt::format("{}: read error", path)}, {}};
  }
  return LoadConfigText(buffer.str(), format, environment);
}

std::vector<int> BuiltInModelSizes() {
#ifdef CORVETTE_MODEL_SIZES
  std::vector<int> sizes = {CORVETTE_MODEL_SIZES};
  std::sort(sizes.begin(), sizes.end());
  return sizes;
#else
  return {};
#endif
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos)
      continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

void ExportEnvironmentVars(const Config& config) {
  for (const auto& [name, value] : config.environment_vars) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
}

}  // namespace corvette::config
