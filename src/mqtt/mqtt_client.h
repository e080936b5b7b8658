#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "mqtt/message.h"
#include "mqtt/publish_queue.h"

struct mosquitto;
struct mosquitto_message;

namespace corvette::mqtt {

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string topic_prefix = "frigate";
  std::string client_id = "frigate";  // empty: the library makes a random one
  std::optional<std::string> user;    // no authentication when absent
  std::optional<std::string> password;
  int keepalive_seconds = 60;  // libmosquitto's minimum is 5; smaller values are raised to it
  // Messages waiting for the broker; see PublishQueue for what is dropped when it is full.
  std::size_t queue_capacity = 1000;
  // Messages handed to libmosquitto but not yet written (QoS 0) or acknowledged (QoS 1, 2). Bounds
  // the library's own unbounded buffer when the broker reads slowly.
  std::size_t max_in_flight = 64;
  // Reconnect backoff: the first retry after `reconnect_delay_min_seconds`, doubling on every
  // failure up to `reconnect_delay_max_seconds`, back to the minimum after a successful connect.
  double reconnect_delay_min_seconds = 1.0;
  double reconnect_delay_max_seconds = 30.0;
  // How long Stop() may spend flushing the queue, and again waiting for the broker to acknowledge
  // `offline` and the disconnect.
  double shutdown_timeout_seconds = 2.0;
};

struct MqttStats {
  bool connected = false;  // the broker accepted our CONNECT and the connection is up
  // Messages handed to the connection (including `available`). A QoS 0 message handed over just
  // before the connection drops can still be lost without being counted as dropped.
  std::uint64_t published = 0;
  std::uint64_t dropped = 0;   // messages lost to a full queue, a refused publish or Stop()
  std::uint64_t connects = 0;  // successful connections since Start()
  std::size_t queued = 0;      // messages waiting in the queue now
};

// A client for Frigate 0.8's MQTT topics (spec section 10) over libmosquitto.
//
// Two threads of its own: a network thread runs libmosquitto's loop and reconnects with backoff
// (a broker that is down or refuses us, at startup or later, is logged and retried, never fatal);
// a sender thread moves messages from the bounded queue to the connection while it is up.
//
// On every connection it publishes `<prefix>/available` = `online` (QoS 1, retained), subscribes
// to `<prefix>/#` and, once the broker has delivered the retained messages of that subscription
// to the message handlers, calls the connect handlers, which should re-publish every retained
// state the broker may have lost. The last will is `<prefix>/available` = `offline` (QoS 1,
// retained); Stop() publishes the same before disconnecting, as 0.8 did not (section 13 item 25).
//
// Handlers run on the network thread: they must be quick and must not block (they may call
// Publish). Handlers are added before Start(), and whatever they use must outlive the client's
// threads, i.e. until Stop() returns or the client is destroyed.
class MqttClient {
 public:
  using MessageHandler = std::function<void(const IncomingMessage&)>;
  using ConnectHandler = std::function<void()>;

  explicit MqttClient(MqttOptions options);
  // Stops (see Stop) if still running.
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Called for every message received under `<prefix>/#`, including our own publications (the
  // WebSocket relay forwards those) and retained messages delivered on subscribe.
  void AddMessageHandler(MessageHandler handler);
  // Called after each successful (re)connection, once the broker has acknowledged the subscription
  // and the message handlers have seen the retained messages it delivered with it (see OnConnect).
  void AddConnectHandler(ConnectHandler handler);

  // Starts the threads and the first connection attempt; returns at once. Call once.
  void Start();

  // Flushes what is queued (up to shutdown_timeout_seconds), publishes `offline` retained, waits
  // for its acknowledgement, disconnects cleanly and joins the threads. Later Publish calls drop.
  // Idempotent. Must not be called from a handler.
  void Stop();

  // Queues `payload` for `<prefix>/<topic>`. Never blocks on the network: it only takes the queue
  // lock. Works before Start() and while disconnected (the message waits in the queue). Returns
  // false when the message itself was dropped (full queue of retained messages, or stopped).
  bool Publish(std::string_view topic, std::string payload, bool retain = false, int qos = 0);
  bool Publish(const OutgoingMessage& message) {
    return Publish(message.topic, message.payload, message.retain, message.qos);
  }

  MqttStats Stats() const;
  const MqttOptions& options() const { return options_; }

 private:
  static void OnConnectThunk(mosquitto*, void* self, int rc);
  static void OnDisconnectThunk(mosquitto*, void* self, int rc);
  static void OnPublishThunk(mosquitto*, void* self, int mid);
  static void OnMessageThunk(mosquitto*, void* self, const mosquitto_message* message);
  static void OnSubscribeThunk(mosquitto*, void* self, int mid, int qos_count,
                               const int* granted_qos);

  void OnConnect(int rc);
  void OnDisconnect(int rc);
  void OnPublish(int mid);
  void OnMessage(const mosquitto_message& message);
  void OnSubscribe(int mid);
  void RunConnectHandlers();

  void RunNetwork();
  void RunSender();
  // Publishes directly on the connection and tracks the message id in flight; returns the
  // libmosquitto result. Must be called without mutex_ held.
  int PublishNow(const std::string& full_topic, const std::string& payload, int qos, bool retain,
                 int* mid);
  // Waits until `mid` is acknowledged or the connection is gone, or `timeout` passes.
  void WaitForAck(std::unique_lock<std::mutex>& lock, int mid,
                  std::chrono::steady_clock::duration timeout);

  const MqttOptions options_;
  const int keepalive_seconds_;
  const std::string available_topic_;  // "<prefix>/available"
  const std::string subscription_;     // "<prefix>/#"
  // Subscribed after subscription_ and dropped again: its SUBACK marks the end of the retained
  // messages of subscription_. Nothing is published on it.
  const std::string barrier_topic_;
  std::vector<MessageHandler> message_handlers_;
  std::vector<ConnectHandler> connect_handlers_;
  mosquitto* mosq_ = nullptr;

  std::thread network_thread_;
  std::thread sender_thread_;
  // Network thread only.
  bool reset_backoff_ = false;  // a connection succeeded since the last backoff wait
  bool outage_logged_ = false;  // the current outage (no connection) has been logged
  int barrier_mid_ = 0;         // message id of the barrier SUBSCRIBE awaiting its SUBACK; 0: none

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // queue, connection, in-flight or stop state changed
  PublishQueue queue_;
  bool started_ = false;
  bool stopping_ = false;      // Stop() began: no new connections, the sender flushes and exits
  bool network_stop_ = false;  // the network thread exits
  bool connected_ = false;
  std::uint64_t generation_ = 0;          // incremented per successful connection
  std::uint64_t stalled_generation_ = 0;  // the sender found this connection dead; wait for next
  std::unordered_set<int> in_flight_;
  std::unordered_set<int> completed_untracked_;  // on_publish that overtook the tracking
  std::uint64_t published_ = 0;
  std::uint64_t dropped_ = 0;
  bool drop_burst_ = false;
  std::uint64_t burst_drops_ = 0;
};

}  // namespace corvette::mqtt
