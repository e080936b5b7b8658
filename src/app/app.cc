#include "app/app.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "app/camera_factory.h"
#include "app/logging.h"
#include "config/config_json.h"
#include "http/api_handlers.h"
#include "http/recording_routes.h"
#include "http/static_files.h"
#include "http/switch_routes.h"
#include "http/web_files.h"
#include "stats/stats_document.h"
#include "stats/storage_stats.h"
#include "version.h"
#include "video/child_process.h"

namespace corvette::app {
namespace {

http::CameraSwitches SwitchesOf(const mqtt::FeatureStates& states) {
  return {states.detect, states.clips, states.snapshots};
}

}  // namespace

App::App(config::Config config, std::vector<std::string> warnings, util::Clock& clock)
    : config_(std::move(config)),
      warnings_(std::move(warnings)),
      clock_(clock),
      started_at_(clock.Monotonic()) {}

App::~App() {
  Stop();
}

std::optional<std::string> App::Step(const std::string& name,
                                     const std::function<std::optional<std::string>()>& start,
                                     std::function<void()> stop) {
  Log().debug("starting {}", name);
  if (std::optional<std::string> error = start()) {
    return error;
  }
  std::lock_guard lock(steps_mutex_);
  stop_steps_.emplace_back(name, std::move(stop));
  return std::nullopt;
}

std::optional<std::string> App::Start() {
  Log().info("corvette {} starting", kVersion);
  for (const std::string& warning : warnings_) {
    Log().warn("config: {}", warning);
  }
  started_at_ = clock_.Monotonic();
  // Before any thread starts: setenv is not thread-safe.
  config::ExportEnvironmentVars(config_);
  // Children inherit the spawner thread's nice value: start it from this thread, before the HTTP
  // io threads (nice +10) exist.
  video::ChildProcess::StartSpawner();

  std::optional<std::string> error = Step(
      "storage folders", [this] { return CreateStorageFolders(); },
      [this] { cache_tmpfs_.reset(); });  // last: after every writer of the cache has stopped
  if (!error) {
    error = Step(
        "database", [this] { return StartDatabase(); }, [this] { store_->Flush(); });
  }
  if (!error) {
    error = Step(
        "clips and recordings", [this] { return StartMedia(); },
        [this] {
          clips_bound_->Stop();
          retention_->Stop();
          recordings_->Stop();
          clip_assembler_->Stop();
        });
  }
  if (!error) {
    error = Step(
        "detectors", [this] { return StartDetectors(); }, [this] { detector_pool_.reset(); });
  }
  if (!error) {
    error = Step(
        "rtmp server", [this] { return StartRtmpServer(); },
        [this] {
          if (rtmp_server_)
            rtmp_server_->Stop();
        });
  }
  // Every camera, processor and the MQTT bridge exist before any thread that reads them starts:
  // the HTTP io threads and the MQTT thread then read fixed maps, and a retained /set the broker
  // delivers on subscribe finds its camera (issue 12: it was dropped while the maps were filled).
  if (!error) {
    error = Step(
        "cameras (built)", [this] { return BuildCameras(); }, nullptr);
  }
  if (!error) {
    error = Step(
        "http server", [this] { return StartHttpServer(); }, [this] { http_server_->Stop(); });
  }
  if (!error && mqtt_) {
    error = Step(
        "mqtt",
        [this] {
          mqtt_->Start();  // a broker that is down is retried in the background, never fatal
          return std::optional<std::string>();
        },
        [this] { mqtt_->Stop(); });
  }
  if (!error) {
    error = Step(
        "cameras",
        [this] {
          for (auto& [name, camera] : *cameras_)
            camera->Start();
          return std::optional<std::string>();
        },
        [this] { StopCameras(); });
  }
  if (error) {
    Log().error("{}", *error);
    Stop();
    return error;
  }
  Log().info("corvette is running; HTTP on {}:{}", config_.server.host, http_port());
  return std::nullopt;
}

void App::Stop() {
  std::vector<std::pair<std::string, std::function<void()>>> steps;
  {
    std::lock_guard lock(steps_mutex_);
    steps.swap(stop_steps_);
  }
  if (steps.empty())
    return;
  Log().info("stopping");
  for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
    if (step->second) {
      Log().debug("stopping {}", step->first);
      step->second();
    }
  }
  Log().info("stopped");
}

std::uint16_t App::http_port() const {
  return http_server_ ? http_server_->port() : 0;
}

std::optional<std::string> App::CreateStorageFolders() {
  std::vector<std::string> folders = {config_.storage.clips, config_.storage.recordings,
                                      config_.storage.cache};
  std::filesystem::path database_folder =
      std::filesystem::path(config_.database.path).parent_path();
  if (!database_folder.empty())
    folders.push_back(database_folder.string());
  for (const std::string& folder : folders) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec || !std::filesystem::is_directory(folder)) {
      return "cannot create storage folder " + folder + ": " +
             (ec ? ec.message() : std::string("not a directory"));
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
      return "cannot write to storage folder " + folder + ": " + std::strerror(errno);
    }
  }
  if (!config_.clips.tmpfs_cache_size.empty()) {
    // As 0.8: the clip segments in RAM. Where corvette may not mount, it says so and goes on.
    storage::TmpfsMount::Result tmpfs =
        storage::TmpfsMount::Mount(config_.storage.cache, config_.clips.tmpfs_cache_size);
    if (tmpfs.on_tmpfs)
      Log().info("clips.tmpfs_cache_size: {}", tmpfs.message);
    else
      Log().warn("clips.tmpfs_cache_size: {}", tmpfs.message);
    cache_tmpfs_ = std::move(tmpfs.mount);
  }
  return std::nullopt;
}

std::optional<std::string> App::StartDatabase() {
  try {
    store_ = std::make_shared<storage::EventStore>(
        storage::EventStore::Options{.path = config_.database.path});
  } catch (const std::exception& e) {
    return "cannot open the database " + config_.database.path + ": " + e.what();
  }
  return std::nullopt;
}

std::optional<std::string> App::StartMedia() {
  // Before anything writes: temporaries a crash left behind, rows whose files are gone.
  events::SweepResult swept = events::StartupSweep(
      {config_.storage.clips, config_.storage.recordings, config_.storage.cache}, *store_);
  if (swept.temporaries_removed + swept.clips_cleared + swept.snapshots_cleared > 0) {
    Log().info("startup sweep: {} temporary file(s) removed, {} clip(s) and {} snapshot(s) missing",
               swept.temporaries_removed, swept.clips_cleared, swept.snapshots_cleared);
  }

  events::ClipAssembler::Options clips;
  clips.clips_dir = config_.storage.clips;
  clips.cache.dir = config_.storage.cache;
  clips.cache.max_seconds = config_.clips.max_seconds;
  for (const config::CameraConfig& camera : config_.cameras) {
    clips.cameras[camera.name] = {static_cast<double>(camera.clips.pre_capture),
                                  static_cast<double>(camera.clips.post_capture)};
  }
  std::weak_ptr<storage::EventStore> store = store_;
  clip_assembler_ = std::make_unique<events::ClipAssembler>(
      std::move(clips), clock_, [store](const events::ClipResult& result) {
        if (auto s = store.lock(); s && result.ok)
          s->SetHasClip(result.request.id, true);
      });
  clip_listener_ = std::make_shared<events::ClipListener>(*clip_assembler_);

  try {
    recording_index_ = std::make_shared<storage::RecordingIndex>(config_.database.path);
  } catch (const std::exception& e) {
    return std::string("cannot open the recordings index in ") + config_.database.path + ": " +
           e.what();
  }
  storage::RecordingsMaintainer::Options recordings;
  recordings.dir = config_.storage.recordings;
  recordings.index = recording_index_.get();
  recordings.default_retain_days = config_.record.retain_days;
  for (const config::CameraConfig& camera : config_.cameras) {
    recordings.retain_days[camera.name] = camera.record.retain_days;
  }
  // The storage bounds (validated by the loader).
  std::optional<config::StorageSize> min_free =
      config::ParseStorageSize(config_.storage.min_free_space);
  if (min_free) {
    recordings.min_free_bytes = min_free->percent > 0 ? ~0ULL : min_free->bytes;
    recordings.min_free_fraction = min_free->percent > 0 ? min_free->percent / 100.0 : 1.0;
  }
  if (auto bound = config::ParseStorageSize(config_.storage.recordings_max_size)) {
    recordings.max_bytes = bound->bytes;
    recordings.max_fraction = bound->percent / 100.0;
  }
  events::ClipsSizeBound::Options clips_bound;
  clips_bound.clips_dir = config_.storage.clips;
  clips_bound.min_free_bytes = recordings.min_free_bytes;
  clips_bound.min_free_fraction = recordings.min_free_fraction;
  if (auto bound = config::ParseStorageSize(config_.storage.clips_max_size)) {
    clips_bound.max_bytes = bound->bytes;
    clips_bound.max_fraction = bound->percent / 100.0;
  }
  // Recordings on the clips folder's file system go first when space runs short.
  struct stat clips_stat {
  }, recordings_stat{};
  if (::stat(config_.storage.clips.c_str(), &clips_stat) == 0 &&
      ::stat(config_.storage.recordings.c_str(), &recordings_stat) == 0 &&
      clips_stat.st_dev == recordings_stat.st_dev) {
    clips_bound.recordings_left = [index = recording_index_] { return index->TotalBytes() > 0; };
  }
  recordings_ = std::make_unique<storage::RecordingsMaintainer>(std::move(recordings), clock_);
  recordings_->Start();

  auto retain = [](const config::RetainConfig& r) {
    return events::RetainDays{r.default_days, r.objects};
  };
  events::EventRetention::Options retention;
  retention.clips_dir = config_.storage.clips;
  retention.global = {retain(config_.clips.retain), retain(config_.snapshots.retain)};
  for (const config::CameraConfig& camera : config_.cameras) {
    retention.cameras[camera.name] = {retain(camera.clips.retain), retain(camera.snapshots.retain)};
  }
  retention_ = std::make_unique<events::EventRetention>(std::move(retention), *store_, clock_);
  retention_->Start();
  clips_bound_ = std::make_unique<events::ClipsSizeBound>(std::move(clips_bound), *store_);
  clips_bound_->Start();
  return std::nullopt;
}

mqtt::FeatureStates App::Get(const std::string& camera) const {
  // Both maps hold every configured camera before any thread can call this (BuildCameras).
  mqtt::FeatureStates states;
  if (auto it = cameras_->find(camera); it != cameras_->end())
    states.detect = it->second->detect_enabled();
  if (auto it = processors_->find(camera); it != processors_->end()) {
    states.clips = it->second->clips_enabled();
    states.snapshots = it->second->snapshots_enabled();
  }
  return states;
}

void App::Set(const std::string& camera, mqtt::Feature feature, bool enabled) {
  auto running = cameras_->find(camera);
  auto processor = processors_->find(camera);
  switch (feature) {
    case mqtt::Feature::kDetect:
      if (running != cameras_->end())
        running->second->set_detect_enabled(enabled);
      break;
    case mqtt::Feature::kClips:
      if (processor != processors_->end())
        processor->second->set_clips_enabled(enabled);
      break;
    case mqtt::Feature::kSnapshots:
      if (processor != processors_->end())
        processor->second->set_snapshots_enabled(enabled);
      break;
  }
}

mqtt::FeatureStates App::ApplySwitch(const std::string& camera, mqtt::Feature feature, bool enabled,
                                     std::string_view by) {
  Set(camera, feature, enabled);
  Log().info("{} {} for {} by {}", mqtt::FeatureName(feature), enabled ? "ON" : "OFF", camera, by);
  mqtt::OutgoingMessage state = mqtt::StateMessage(camera, feature, enabled);
  if (mqtt_) {
    mqtt_->Publish(state.topic, state.payload, /*retain=*/true);
    mqtt_->Publish(fmt::format("{}/{}/set", camera, mqtt::FeatureName(feature)), state.payload,
                   /*retain=*/true);
  } else if (ws_relay_) {
    ws_relay_->Broadcast(state.topic, state.payload);
  }
  return Get(camera);
}

std::optional<std::string> App::StartDetectors() {
  if (config_.cameras.empty())
    return std::nullopt;
  detect::DetectorPoolOptions options = DetectorPoolOptionsFor(config_);
  try {
    detector_pool_ = std::make_unique<detect::DetectorPool>(std::move(options), clock_);
  } catch (const std::exception& e) {
    return std::string("cannot start the object detector: ") + e.what();
  }
  return std::nullopt;
}

std::optional<std::string> App::StartRtmpServer() {
  ffmpeg_options_.include_rtmp = false;
  bool restreams = false;
  for (const config::CameraConfig& camera : config_.cameras) {
    for (const config::FfmpegInputConfig& input : camera.ffmpeg.inputs)
      restreams = restreams || (camera.rtmp.enabled && input.HasRole(config::Role::kRtmp));
  }
  if (!restreams)
    return std::nullopt;
  video::RtmpServerOptions options;
  options.port = config_.rtmp.port;
  options.folder = (std::filesystem::path(config_.storage.cache) / "rtmp").string();
  options.clock = &clock_;
  rtmp_server_ = std::make_unique<video::RtmpServer>(options);
  if (rtmp_server_->Start()) {
    // Logged by Start(): everything else runs, without the rtmp outputs.
    rtmp_server_.reset();
    return std::nullopt;
  }
  ffmpeg_options_.include_rtmp = true;
  return std::nullopt;
}

std::optional<std::string> App::BuildCameras() {
  std::vector<std::string> names;
  for (const config::CameraConfig& camera : config_.cameras)
    names.push_back(camera.name);
  ws_relay_ = std::make_shared<WsRelay>();
  if (config_.mqtt) {
    mqtt_ = std::make_unique<MqttBridge>(*config_.mqtt, names, *this,
                                         [this] { return StatsDocument(); });
    mqtt_events_ = std::make_shared<MqttEventPublisher>(*mqtt_);
    ws_relay_->Attach(*mqtt_);
  } else {
    // The web page's live updates and switches work without a broker too.
    ws_relay_->AttachLocal(names, [this](const mqtt::SetCommand& command) {
      ApplySwitch(command.camera, command.feature, command.enabled, "websocket");
    });
    ws_events_ = std::make_shared<WsEventPublisher>(ws_relay_);
  }
  for (const config::CameraConfig& camera : config_.cameras) {
    camera::CameraOptions options = CameraOptionsFor(config_, camera, ffmpeg_options_);
    options.detector_pool = detector_pool_.get();
    options.object_filter = ObjectFilterFor(camera);
    options.tracker.max_disappeared = camera.detect.max_disappeared;
    options.min_object_pixels = camera.detect.min_object_pixels;
    options.clock = &clock_;
    events::EventProcessorOptions event_options = EventProcessorOptionsFor(
        config_, camera, detector_pool_ ? &detector_pool_->labelmap() : nullptr);
    event_options.store = store_.get();
    event_options.zone_counts = zone_counts_;
    auto processor = std::make_shared<events::EventProcessor>(std::move(event_options));
    if (mqtt_events_)
      processor->AddListener(mqtt_events_);
    if (ws_events_)
      processor->AddListener(ws_events_);
    if (clip_listener_)
      processor->AddListener(clip_listener_);
    options.on_frame = processor->Observer();
    (*processors_)[camera.name] = processor;
    try {
      (*cameras_)[camera.name] = std::make_shared<camera::Camera>(std::move(options));
    } catch (const std::exception& e) {
      return "camera " + camera.name + ": " + e.what();
    }
  }
  return std::nullopt;
}

void App::StopCameras() {
  // Ask every camera at once, then wait: shutdown takes one grace period, not one per camera.
  for (auto& [name, camera] : *cameras_)
    camera->RequestStop();
  for (auto& [name, camera] : *cameras_)
    camera->Stop();
}

std::optional<std::string> App::StartHttpServer() {
  http::AddApiHeaders(router_);
  http::RegisterFoundationApi(router_, {
                                           kVersion,
                                           [this] { return ConfigDocument(); },
                                           [this] { return StatsDocument(); },
                                       });
  http::AddCameraRoutes(router_, cameras_);
  http::AddEventRoutes(router_, {store_, processors_, config_.storage.clips});
  http::StaticFiles::AddRoutes(
      router_, std::make_shared<const http::StaticFiles>(
                   http::StaticFiles::Options{config_.storage.clips, config_.storage.recordings}));
  {
    http::RecordingRoutesOptions recording_routes;
    recording_routes.index = recording_index_;
    recording_routes.store = store_;
    for (const config::CameraConfig& camera : config_.cameras)
      recording_routes.cameras.insert(camera.name);
    recording_routes.recordings_dir = config_.storage.recordings;
    recording_routes.now = [this] { return clock_.Now(); };
    http::AddRecordingRoutes(router_, std::move(recording_routes));
  }
  http::AddSwitchRoutes(
      router_, {
                   [this](const std::string& camera) -> std::optional<http::CameraSwitches> {
                     if (!cameras_->contains(camera))
                       return std::nullopt;
                     return SwitchesOf(Get(camera));
                   },
                   [this](const std::string& camera, std::string_view feature, bool enabled) {
                     return SwitchesOf(ApplySwitch(camera, *mqtt::ParseFeature(feature), enabled,
                                                   "the HTTP API"));
                   },
               });
  std::shared_ptr<const http::WebFiles> web_files;
  if (std::optional<std::filesystem::path> web_root = http::FindWebRoot()) {
    try {
      web_files = http::WebFiles::Load(*web_root);
      Log().info("web page: {} files from {}", web_files->file_count(), web_root->string());
    } catch (const std::exception& e) {
      Log().warn("web page not served: {}", e.what());
    }
  } else {
    Log().warn(
        "web page not served: no built page beside the binary (web/index.html) nor in "
        "../share/corvette/web; set CORVETTE_WEB_ROOT or run `make build`");
  }
  http::WebFiles::AddRoutes(router_, std::move(web_files));

  http::ServerOptions options;
  options.host = config_.server.host;
  options.port = static_cast<std::uint16_t>(config_.server.port);
  options.io_threads = 3;
  // Cameras and detection first: when the two cores are saturated, API requests, live views and
  // downloads slow down before any camera's process_fps does.
  options.io_thread_niceness = 10;
  options.websocket_handlers.emplace("/ws", ws_relay_);
  http_server_ = std::make_unique<http::HttpServer>(options, router_);
  return http_server_->Start();
}

nlohmann::json App::ConfigDocument() const {
  nlohmann::json document = config::ToJson(config_, ffmpeg_options_);
  // Runtime switches (MQTT) show as 0.8 shows them: in the camera's section.
  for (const auto& [name, camera] : *cameras_) {
    mqtt::FeatureStates states = Get(name);
    document["cameras"][name]["detect"]["enabled"] = states.detect;
    document["cameras"][name]["clips"]["enabled"] = states.clips;
    document["cameras"][name]["snapshots"]["enabled"] = states.snapshots;
  }
  return document;
}

nlohmann::json App::StatsDocument() const {
  stats::StatsInputs inputs;
  const int pid = static_cast<int>(::getpid());
  for (const auto& [name, camera] : *cameras_) {
    camera::CameraStats s = camera->Stats();
    stats::CameraStats& entry = inputs.cameras.emplace_back();
    entry.name = name;
    entry.camera_fps = s.camera_fps;
    entry.process_fps = s.process_fps;
    entry.skipped_fps = s.skipped_fps;
    entry.detection_fps = s.detection_fps;
    entry.pid = static_cast<int>(s.pid);
    entry.capture_pid = static_cast<int>(s.capture_pid);
    for (const video::CameraSupervisor::Status::Role& role : s.roles)
      entry.roles.push_back({role.role, role.state, role.error});
  }
  if (detector_pool_) {
    for (const detect::DetectorStats& d : detector_pool_->Stats())
      inputs.detectors.push_back({d.name, d.inference_speed_ms, d.detection_start, d.pid});
  } else {
    // No camera, so no pool: the detectors show 0.8's idle values (inference_speed 10 ms).
    for (const config::DetectorConfig& detector : config_.detectors)
      inputs.detectors.push_back({detector.name, 10.0, 0.0, pid});
  }
  const std::vector<std::string> storage_paths = {config_.storage.recordings, config_.storage.clips,
                                                  config_.storage.cache, "/dev/shm"};
  inputs.uptime_seconds = clock_.Monotonic() - started_at_;
  inputs.version = kVersion;
  for (const std::string& path : storage_paths) {
    inputs.storage.push_back({path, stats::MeasureStorage(path)});
  }
  return stats::BuildStatsDocument(inputs);
}

}  // namespace corvette::app
