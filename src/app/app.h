#pragma once

// The running corvette: every part built from the config, started in order and stopped in
// reverse order. This is the one wiring place; a new part (database, detectors, cameras, MQTT...)
// adds a step to Start() and hands its stop function to the step list.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/mqtt_bridge.h"
#include "app/ws_relay.h"
#include "config/config.h"
#include "config/ffmpeg_command.h"
#include "detect/detector_pool.h"
#include "events/clip_assembler.h"
#include "events/clip_listener.h"
#include "events/clips_bound.h"
#include "events/retention.h"
#include "events/zone_counts.h"
#include "http/camera_routes.h"
#include "http/event_routes.h"
#include "http/router.h"
#include "http/server.h"
#include "storage/event_store.h"
#include "storage/recordings.h"
#include "storage/tmpfs_mount.h"
#include "util/clock.h"
#include "video/rtmp_server.h"

namespace corvette::app {

class App final : public FeatureSwitches {
 public:
  // `warnings` are the loader's (logged at Start()). `clock` must outlive the App.
  explicit App(config::Config config, std::vector<std::string> warnings = {},
               util::Clock& clock = util::SystemClock::Instance());
  ~App() override;  // Stop()s

  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Exports environment_vars, creates the storage folders, starts every part in order (database,
  // media, detectors, RTMP, cameras built, HTTP, MQTT, cameras started). Call once, before other
  // threads read the environment. On failure, stops what had started and returns the error (e.g.
  // "cannot create storage folder var/clips: Permission denied", "cannot listen on 0.0.0.0:5000:
  // Address already in use").
  std::optional<std::string> Start();
  // Stops the started parts in reverse order. Idempotent.
  void Stop();

  // The HTTP port actually bound (useful with server.port 0); 0 before Start().
  std::uint16_t http_port() const;

  // The /api/stats and /api/config documents of the running app (thread-safe).
  nlohmann::json StatsDocument() const;
  nlohmann::json ConfigDocument() const;

  // FeatureSwitches: detect (the camera), clips and snapshots (its event processor).
  mqtt::FeatureStates Get(const std::string& camera) const override;
  void Set(const std::string& camera, mqtt::Feature feature, bool enabled) override;

  // A switch changed by the web page or an API client (`by` says which, for the log): applied at
  // once, then its retained `/state` and a retained `/set` (as Home Assistant's own commands are)
  // go to the broker, so that Home Assistant shows the change and a restart keeps it; without a
  // broker the `/state` goes to the /ws clients. Returns the camera's switches afterwards.
  mqtt::FeatureStates ApplySwitch(const std::string& camera, mqtt::Feature feature, bool enabled,
                                  std::string_view by);

 private:
  // Runs one start step; on success remembers `stop` (may be empty) for Stop().
  std::optional<std::string> Step(const std::string& name,
                                  const std::function<std::optional<std::string>()>& start,
                                  std::function<void()> stop);
  std::optional<std::string> CreateStorageFolders();
  std::optional<std::string> StartHttpServer();
  std::optional<std::string> StartDatabase();
  std::optional<std::string> StartMedia();
  std::optional<std::string> StartDetectors();
  std::optional<std::string> StartRtmpServer();
  // Builds the MQTT bridge (not connected), the /ws relay, and every camera and event processor
  // (not started), so that the maps are complete and never change once a thread reads them.
  std::optional<std::string> BuildCameras();
  void StopCameras();

  // Never changes after construction: the runtime switches live in the cameras and processors.
  const config::Config config_;
  std::vector<std::string> warnings_;
  util::Clock& clock_;
  double started_at_ = 0.0;  // monotonic seconds
  // How the cameras' ffmpeg commands are derived, and shown in /api/config: the rtmp outputs
  // only while the RTMP server runs. Set by StartRtmpServer(), before the HTTP server starts.
  config::FfmpegCommandOptions ffmpeg_options_;
  std::unique_ptr<video::RtmpServer> rtmp_server_;  // null unless a camera restreams
  // The tmpfs on the cache folder (clips.tmpfs_cache_size), while corvette mounted one.
  std::unique_ptr<storage::TmpfsMount> cache_tmpfs_;

  // Declared in dependency order: destroyed cameras first, then processors, then the store.
  std::shared_ptr<storage::EventStore> store_;
  std::shared_ptr<events::ZoneCounts> zone_counts_ = std::make_shared<events::ZoneCounts>();
  // /ws: the MQTT relay, or without a broker what corvette would publish; the HTTP server holds
  // it too.
  std::shared_ptr<WsRelay> ws_relay_;
  std::shared_ptr<WsEventPublisher> ws_events_;  // only without a broker
  std::unique_ptr<events::ClipAssembler> clip_assembler_;
  std::shared_ptr<events::ClipListener> clip_listener_;
  std::shared_ptr<storage::RecordingIndex> recording_index_;  // read by the HTTP routes
  std::unique_ptr<storage::RecordingsMaintainer> recordings_;
  std::unique_ptr<events::EventRetention> retention_;
  std::unique_ptr<events::ClipsSizeBound> clips_bound_;
  std::unique_ptr<MqttBridge> mqtt_;
  std::shared_ptr<MqttEventPublisher> mqtt_events_;
  std::unique_ptr<detect::DetectorPool> detector_pool_;
  std::shared_ptr<http::EventProcessorMap> processors_ =
      std::make_shared<http::EventProcessorMap>();
  // Both maps are filled by BuildCameras() before the HTTP server and MQTT start, and never change
  // after: readers on other threads need no lock. The cameras start last.
  std::shared_ptr<http::CameraMap> cameras_ = std::make_shared<http::CameraMap>();

  http::Router router_;
  std::unique_ptr<http::HttpServer> http_server_;

  std::mutex steps_mutex_;
  std::vector<std::pair<std::string, std::function<void()>>> stop_steps_;  // in start order
};

}  // namespace corvette::app
