#include "app/mqtt_bridge.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "mqtt/topics.h"

namespace corvette::app {
namespace {

mqtt::MqttOptions ClientOptions(const config::MqttConfig& config) {
  mqtt::MqttOptions options;
  options.host = config.host;
  options.port = config.port;
  options.topic_prefix = config.topic_prefix;
  options.client_id = config.client_id;
  options.user = config.user;
  options.password = config.password;
  return options;
}

}  // namespace

MqttBridge::MqttBridge(const config::MqttConfig& config, std::vector<std::string> cameras,
                       FeatureSwitches& switches, std::function<nlohmann::json()> stats_document)
    : cameras_(std::move(cameras)),
      switches_(switches),
      stats_document_(std::move(stats_document)),
      commands_(cameras_),
      client_(ClientOptions(config)),
      // As 0.8: the first stats 10 s after the start, then every stats_interval seconds.
      stats_worker_({.name = "mqtt: stats",
                     .interval_seconds = static_cast<double>(std::max(1, config.stats_interval)),
                     .first_delay_seconds = 10.0},
                    [this] { client_.Publish(mqtt::topics::kStats, stats_document_().dump()); }) {
  client_.AddConnectHandler([this] { OnConnect(); });
  client_.AddMessageHandler([this](const mqtt::IncomingMessage& m) { OnMessage(m); });
}

MqttBridge::~MqttBridge() {
  Stop();
}

void MqttBridge::Start() {
  // Every /state goes out with every connect (OnConnect), after the retained /set commands the
  // broker delivers on subscribe have been applied: the states published are the applied ones.
  client_.Start();
  stats_worker_.Start();
}

void MqttBridge::Stop() {
  stats_worker_.Stop();
  client_.Stop();
}

bool MqttBridge::Publish(std::string_view topic, std::string payload, bool retain) {
  return client_.Publish(topic, std::move(payload), retain);
}

void MqttBridge::AddMessageHandler(mqtt::MqttClient::MessageHandler handler) {
  client_.AddMessageHandler(std::move(handler));
}

void MqttBridge::OnConnect() {
  for (const std::string& camera : cameras_) {
    for (const mqtt::OutgoingMessage& message :
         mqtt::StateMessages(camera, switches_.Get(camera))) {
      client_.Publish(message);
    }
  }
}

void MqttBridge::OnMessage(const mqtt::IncomingMessage& message) {
  mqtt::SetParseResult parsed = commands_.Parse(message.topic, message.payload);
  if (parsed.status != mqtt::SetStatus::kApply)
    return;
  const mqtt::SetCommand& command = *parsed.command;
  switches_.Set(command.camera, command.feature, command.enabled);
  client_.Publish(mqtt::StateMessage(command.camera, command.feature, command.enabled));
  spdlog::info("{} {} for {} by MQTT", mqtt::FeatureName(command.feature),
               command.enabled ? "ON" : "OFF", command.camera);
}

void MqttEventPublisher::OnEventMessage(const track::EventMessage& message) {
  bridge_.Publish(mqtt::topics::kEvents, message.ToJson().dump());
}

void MqttEventPublisher::OnCountChanged(const std::string& name, const std::string& label,
                                        int count) {
  bridge_.Publish(mqtt::topics::ObjectCount(name, label), std::to_string(count));
}

void MqttEventPublisher::OnBestSnapshot(const std::string& camera, const std::string& label,
                                        std::shared_ptr<const std::string> jpeg) {
  if (jpeg == nullptr)
    return;
  bridge_.Publish(mqtt::topics::Snapshot(camera, label), *jpeg, /*retain=*/true);
}

}  // namespace corvette::app
