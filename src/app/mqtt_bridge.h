#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "events/event_listener.h"
#include "mqtt/commands.h"
#include "mqtt/mqtt_client.h"
#include "util/periodic_worker.h"

namespace corvette::app {

// The runtime switches of the cameras (detect, clips, snapshots), as MQTT's /set topics change
// them. The App implements it over its cameras and event processors.
class FeatureSwitches {
 public:
  virtual ~FeatureSwitches() = default;
  virtual mqtt::FeatureStates Get(const std::string& camera) const = 0;
  virtual void Set(const std::string& camera, mqtt::Feature feature, bool enabled) = 0;
};

// Connects Frigate's MQTT topics (spec section 10) to the running app: `available`, the
// `<camera>/<feature>/set` commands and their retained `/state`, and `stats` (first 10 s after the
// start, then every mqtt.stats_interval). Event, count and snapshot messages go through Publish().
// Thread-safe.
class MqttBridge {
 public:
  MqttBridge(const config::MqttConfig& config, std::vector<std::string> cameras,
             FeatureSwitches& switches, std::function<nlohmann::json()> stats_document);
  ~MqttBridge();
  MqttBridge(const MqttBridge&) = delete;
  MqttBridge& operator=(const MqttBridge&) = delete;

  void Start();
  // Publishes `available` = offline (retained) and disconnects.
  void Stop();

  // Publishes `topic` (without the prefix). Never blocks; see mqtt::MqttClient::Publish.
  bool Publish(std::string_view topic, std::string payload, bool retain = false);
  // Every message received under the prefix (the WebSocket relay listens here).
  void AddMessageHandler(mqtt::MqttClient::MessageHandler handler);
  const mqtt::SetCommandParser& commands() const { return commands_; }
  mqtt::MqttClient& client() { return client_; }

 private:
  void OnConnect();
  void OnMessage(const mqtt::IncomingMessage& message);

  std::vector<std::string> cameras_;
  FeatureSwitches& switches_;
  std::function<nlohmann::json()> stats_document_;
  mqtt::SetCommandParser commands_;
  mqtt::MqttClient client_;
  util::PeriodicWorker stats_worker_;  // publishes `stats`
};

// Publishes what the event processors report on Frigate's topics (spec section 10): `events`
// (new / update / end), `<camera|zone>/<label>` counts and the retained
// `<camera>/<label>/snapshot` JPEG.
class MqttEventPublisher final : public events::EventListener {
 public:
  explicit MqttEventPublisher(MqttBridge& bridge) : bridge_(bridge) {}
  void OnEventMessage(const track::EventMessage& message) override;
  void OnCountChanged(const std::string& name, const std::string& label, int count) override;
  void OnBestSnapshot(const std::string& camera, const std::string& label,
                      std::shared_ptr<const std::string> jpeg) override;

 private:
  MqttBridge& bridge_;
};

}  // namespace corvette::app
