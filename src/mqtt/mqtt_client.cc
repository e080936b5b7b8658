#include "mqtt/mqtt_client.h"

#include <mosquitto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mqtt/topics.h"

namespace corvette::mqtt {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kOnline = "online";
constexpr std::string_view kOffline = "offline";
// Under the topic prefix; see MqttClient::barrier_topic_.
constexpr std::string_view kBarrierTopic = ".corvette/subscribe-barrier";
// Upper bound on how long the network thread sits in select() before it rechecks for Stop().
constexpr int kLoopTimeoutMs = 500;
// libmosquitto refuses to connect with a smaller keepalive (MOSQ_ERR_INVAL).
constexpr int kMinKeepaliveSeconds = 5;

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

Clock::duration Seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// libmosquitto's error text; for MOSQ_ERR_ERRNO the system error (`saved_errno`).
std::string ErrorText(int rc, int saved_errno) {
  if (rc == MOSQ_ERR_ERRNO) {
    return std::strerror(saved_errno);
  }
  return mosquitto_strerror(rc);
}

// Why a connection ended, from the disconnect callback's code.
std::string DisconnectReason(int rc) {
  if (rc == MOSQ_ERR_KEEPALIVE) {  // libmosquitto 2.0.11 has no text for it
    return "no answer from the broker within the keepalive";
  }
  return mosquitto_strerror(rc);
}

}  // namespace

MqttClient::MqttClient(MqttOptions options)
    : options_(std::move(options)),
      keepalive_seconds_(std::max(options_.keepalive_seconds, kMinKeepaliveSeconds)),
      available_topic_(topics::WithPrefix(options_.topic_prefix, topics::kAvailable)),
      subscription_(topics::WithPrefix(options_.topic_prefix, "#")),
      barrier_topic_(topics::WithPrefix(options_.topic_prefix, kBarrierTopic)),
      queue_(options_.queue_capacity) {
  InitLibraryOnce();
  mosq_ = mosquitto_new(options_.client_id.empty() ? nullptr : options_.client_id.c_str(),
                        /*clean_session=*/true, this);
  if (mosq_ == nullptr) {
    throw std::runtime_error(fmt::format("MQTT: cannot create a client: {}", std::strerror(errno)));
  }
  // Our own thread runs the loop; libmosquitto must still lock, since we publish from others.
  mosquitto_threaded_set(mosq_, true);
  int rc = mosquitto_will_set(mosq_, available_topic_.c_str(), static_cast<int>(kOffline.size()),
                              kOffline.data(), /*qos=*/1, /*retain=*/true);
  if (rc == MOSQ_ERR_SUCCESS && options_.user) {
    rc = mosquitto_username_pw_set(mosq_, options_.user->c_str(),
                                   options_.password ? options_.password->c_str() : nullptr);
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(mosq_);
    throw std::runtime_error(fmt::format("MQTT: invalid client options for topic prefix '{}': {}",
                                         options_.topic_prefix, mosquitto_strerror(rc)));
  }
  mosquitto_connect_callback_set(mosq_, &MqttClient::OnConnectThunk);
  mosquitto_disconnect_callback_set(mosq_, &MqttClient::OnDisconnectThunk);
  mosquitto_publish_callback_set(mosq_, &MqttClient::OnPublishThunk);
  mosquitto_message_callback_set(mosq_, &MqttClient::OnMessageThunk);
  mosquitto_subscribe_callback_set(mosq_, &MqttClient::OnSubscribeThunk);
}

MqttClient::~MqttClient() {
  Stop();
  mosquitto_destroy(mosq_);
}

void MqttClient::AddMessageHandler(MessageHandler handler) {
  message_handlers_.push_back(std::move(handler));
}

void MqttClient::AddConnectHandler(ConnectHandler handler) {
  connect_handlers_.push_back(std::move(handler));
}

void MqttClient::Start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) {
      return;
    }
    started_ = true;
  }
  network_thread_ = std::thread([this] { RunNetwork(); });
  sender_thread_ = std::thread([this] { RunSender(); });
}

void MqttClient::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) {
      return;
    }
    stopping_ = true;
  }
  changed_.notify_all();
  sender_thread_.join();

  const auto timeout = Seconds(options_.shutdown_timeout_seconds);
  std::unique_lock lock(mutex_);
  if (connected_) {
    lock.unlock();
    int mid = 0;
    const int rc = PublishNow(available_topic_, std::string(kOffline), /*qos=*/1,
                              /*retain=*/true, &mid);
    lock.lock();
    if (rc == MOSQ_ERR_SUCCESS) {
      WaitForAck(lock, mid, timeout);
    }
    lock.unlock();
    if (mosquitto_disconnect(mosq_) == MOSQ_ERR_SUCCESS) {
      lock.lock();
      // The disconnect callback comes once DISCONNECT is written and the socket closed.
      changed_.wait_for(lock, timeout, [this] { return !connected_; });
      lock.unlock();
    }
    lock.lock();
  }
  if (queue_.size() > 0) {
    spdlog::warn("MQTT: {} queued messages not sent at shutdown", queue_.size());
    dropped_ += queue_.size();
    while (queue_.Pop()) {
    }
  }
  network_stop_ = true;
  lock.unlock();
  changed_.notify_all();
  network_thread_.join();
  lock.lock();
  // A broker that did not take our DISCONNECT in time: the socket is abandoned (closed by the
  // destructor) and the broker will publish the last will.
  connected_ = false;
  lock.unlock();
  spdlog::info("MQTT: stopped");
}

bool MqttClient::Publish(std::string_view topic, std::string payload, bool retain, int qos) {
  PublishQueue::PushResult result;
  bool burst_started = false;
  std::uint64_t burst_ended_drops = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ++dropped_;
      return false;
    }
    result = queue_.Push(
        OutgoingMessage{std::string(topic), std::move(payload), retain, std::clamp(qos, 0, 2)});
    if (result.dropped() > 0) {
      dropped_ += result.dropped();
      burst_drops_ += result.dropped();
      burst_started = !drop_burst_;
      drop_burst_ = true;
    } else if (drop_burst_ && !result.coalesced && queue_.size() <= queue_.capacity() / 2) {
      // The burst ends once the queue has drained to half: one warning per outage, not per drop.
      drop_burst_ = false;
      burst_ended_drops = burst_drops_;
      burst_drops_ = 0;
    }
  }
  changed_.notify_all();
  if (burst_started) {
    spdlog::warn(
        "MQTT: publish queue full ({} messages, broker slow or unreachable): dropping the oldest "
        "non-retained messages",
        queue_.capacity());
  } else if (burst_ended_drops > 0) {
    spdlog::warn("MQTT: publish queue has room again; {} messages were dropped while it was full",
                 burst_ended_drops);
  }
  return result.accepted;
}

MqttStats MqttClient::Stats() const {
  std::lock_guard lock(mutex_);
  MqttStats stats;
  stats.connected = connected_;
  stats.published = published_;
  stats.dropped = dropped_;
  stats.connects = generation_;
  stats.queued = queue_.size();
  return stats;
}

int MqttClient::PublishNow(const std::string& full_topic, const std::string& payload, int qos,
                           bool retain, int* mid) {
  const int rc = mosquitto_publish(mosq_, mid, full_topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), qos, retain);
  if (rc == MOSQ_ERR_SUCCESS) {
    std::lock_guard lock(mutex_);
    ++published_;
    if (completed_untracked_.erase(*mid) == 0) {
      in_flight_.insert(*mid);
    }
  }
  return rc;
}

void MqttClient::WaitForAck(std::unique_lock<std::mutex>& lock, int mid, Clock::duration timeout) {
  changed_.wait_for(lock, timeout, [&] { return !in_flight_.contains(mid) || !connected_; });
}

void MqttClient::RunSender() {
  std::unique_lock lock(mutex_);
  std::optional<Clock::time_point> flush_deadline;
  while (true) {
    if (stopping_) {
      if (!flush_deadline) {
        flush_deadline = Clock::now() + Seconds(options_.shutdown_timeout_seconds);
      }
      if (queue_.empty() || !connected_ || Clock::now() >= *flush_deadline) {
        return;
      }
    }
    const bool can_send = connected_ && generation_ != stalled_generation_ && !queue_.empty() &&
                          in_flight_.size() < std::max<std::size_t>(options_.max_in_flight, 1);
    if (!can_send) {
      if (flush_deadline) {
        changed_.wait_until(lock, *flush_deadline);
      } else {
        changed_.wait(lock);
      }
      continue;
    }
    OutgoingMessage message = *queue_.Pop();
    const std::uint64_t generation = generation_;
    lock.unlock();
    const std::string full_topic = topics::WithPrefix(options_.topic_prefix, message.topic);
    int mid = 0;
    const int rc = PublishNow(full_topic, message.payload, message.qos, message.retain, &mid);
    lock.lock();
    if (rc == MOSQ_ERR_SUCCESS) {
      continue;
    }
    if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST) {
      // The connection died under us: keep the message for the next one.
      stalled_generation_ = generation;
      dropped_ += queue_.PushFront(std::move(message)).dropped();
    } else {
      ++dropped_;
      spdlog::warn("MQTT: cannot publish to '{}' ({} bytes): {}", full_topic,
                   message.payload.size(), mosquitto_strerror(rc));
    }
  }
}

void MqttClient::RunNetwork() {
  const std::string where = fmt::format("{}:{}", options_.host, options_.port);
  const Clock::duration min_delay = Seconds(options_.reconnect_delay_min_seconds);
  const Clock::duration max_delay = Seconds(options_.reconnect_delay_max_seconds);
  Clock::duration delay = min_delay;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (network_stop_ || stopping_) {
        return;
      }
    }
    int rc =
        mosquitto_connect_async(mosq_, options_.host.c_str(), options_.port, keepalive_seconds_);
    int saved_errno = errno;
    if (rc == MOSQ_ERR_SUCCESS) {
      while (true) {
        rc = mosquitto_loop(mosq_, kLoopTimeoutMs, 1);
        saved_errno = errno;
        if (rc != MOSQ_ERR_SUCCESS) {
          break;
        }
        std::lock_guard lock(mutex_);
        if (network_stop_) {
          return;
        }
      }
    }
    if (reset_backoff_) {
      reset_backoff_ = false;
      delay = min_delay;
    }
    std::unique_lock lock(mutex_);
    if (network_stop_ || stopping_) {
      return;
    }
    const auto seconds = std::chrono::duration<double>(delay).count();
    if (outage_logged_) {
      // One warning per outage; the retries go to debug.
      spdlog::debug("MQTT: no connection to broker {} ({}); retrying in {:g} s", where,
                    ErrorText(rc, saved_errno), seconds);
    } else {
      spdlog::warn(
          "MQTT: no connection to broker {} ({}); retrying in {:g} s, backing off up to "
          "{:g} s",
          where, ErrorText(rc, saved_errno), seconds, options_.reconnect_delay_max_seconds);
      outage_logged_ = true;
    }
    changed_.wait_for(lock, delay, [this] { return network_stop_ || stopping_; });
    delay = std::min(delay * 2, max_delay);
  }
}

void MqttClient::OnConnectThunk(mosquitto*, void* self, int rc) {
  static_cast<MqttClient*>(self)->OnConnect(rc);
}
void MqttClient::OnDisconnectThunk(mosquitto*, void* self, int rc) {
  static_cast<MqttClient*>(self)->OnDisconnect(rc);
}
void MqttClient::OnPublishThunk(mosquitto*, void* self, int mid) {
  static_cast<MqttClient*>(self)->OnPublish(mid);
}
void MqttClient::OnMessageThunk(mosquitto*, void* self, const mosquitto_message* message) {
  static_cast<MqttClient*>(self)->OnMessage(*message);
}
void MqttClient::OnSubscribeThunk(mosquitto*, void* self, int mid, int, const int*) {
  static_cast<MqttClient*>(self)->OnSubscribe(mid);
}

void MqttClient::OnConnect(int rc) {
  if (rc != 0) {
    // 0.8 went on to subscribe and publish `online`; the broker closes a refused connection, so
    // we log (once until the next success) and let the network thread retry with backoff.
    if (!outage_logged_) {
      spdlog::error("MQTT: broker {}:{} refused the connection: {}; retrying with backoff",
                    options_.host, options_.port, mosquitto_connack_string(rc));
      outage_logged_ = true;
    } else {
      spdlog::debug("MQTT: broker {}:{} refused the connection: {}", options_.host, options_.port,
                    mosquitto_connack_string(rc));
    }
    return;
  }
  reset_backoff_ = true;
  outage_logged_ = false;
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    // A new session: what was in flight on the old connection will not be acknowledged here.
    in_flight_.clear();
    completed_untracked_.clear();
    stopping = stopping_;
  }
  spdlog::info("MQTT: connected to broker {}:{} as '{}'", options_.host, options_.port,
               options_.client_id);
  if (!stopping) {
    int mid = 0;
    const int published = PublishNow(available_topic_, std::string(kOnline), /*qos=*/1,
                                     /*retain=*/true, &mid);
    if (published != MOSQ_ERR_SUCCESS) {
      spdlog::warn("MQTT: cannot publish {}: {}", available_topic_, mosquitto_strerror(published));
    }
    const int subscribed = mosquitto_subscribe(mosq_, nullptr, subscription_.c_str(), /*qos=*/0);
    if (subscribed != MOSQ_ERR_SUCCESS) {
      spdlog::warn("MQTT: cannot subscribe to {}: {}", subscription_,
                   mosquitto_strerror(subscribed));
    }
  }
  {
    std::lock_guard lock(mutex_);
    connected_ = true;
    ++generation_;
  }
  changed_.notify_all();
  if (stopping) {
    return;
  }
  // The broker answers a SUBSCRIBE with its SUBACK and then the retained messages that match, and
  // handles one client's packets in order: once the SUBACK of a second subscription arrives, every
  // retained message of the first one has been received and handled. The connect handlers run
  // then, so that the states they publish already reflect retained commands (a retained
  // `clips/set ON` never shows as a passing `clips/state OFF`).
  barrier_mid_ = 0;
  const int barrier = mosquitto_subscribe(mosq_, &barrier_mid_, barrier_topic_.c_str(), /*qos=*/0);
  if (barrier != MOSQ_ERR_SUCCESS) {
    spdlog::warn("MQTT: cannot subscribe to {}: {}", barrier_topic_, mosquitto_strerror(barrier));
    barrier_mid_ = 0;
    RunConnectHandlers();
  }
}

void MqttClient::OnSubscribe(int mid) {
  if (mid == 0 || mid != barrier_mid_) {
    return;
  }
  barrier_mid_ = 0;
  mosquitto_unsubscribe(mosq_, nullptr, barrier_topic_.c_str());
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    stopping = stopping_;
  }
  if (!stopping) {
    RunConnectHandlers();
  }
}

void MqttClient::RunConnectHandlers() {
  for (const ConnectHandler& handler : connect_handlers_) {
    try {
      handler();
    } catch (const std::exception& e) {
      spdlog::error("MQTT: connect handler failed: {}", e.what());
    }
  }
}

void MqttClient::OnDisconnect(int rc) {
  bool was_connected;
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    was_connected = connected_;
    stopping = stopping_;
    connected_ = false;
  }
  changed_.notify_all();
  if (was_connected) {
    if (rc == 0 && stopping) {
      spdlog::info("MQTT: disconnected from broker");
    } else {
      spdlog::warn("MQTT: lost the connection to broker {}:{} ({}); reconnecting with backoff",
                   options_.host, options_.port, DisconnectReason(rc));
      outage_logged_ = true;
    }
  }
}

void MqttClient::OnPublish(int mid) {
  {
    std::lock_guard lock(mutex_);
    if (in_flight_.erase(mid) == 0) {
      completed_untracked_.insert(mid);
    }
  }
  changed_.notify_all();
}

void MqttClient::OnMessage(const mosquitto_message& message) {
  if (message.topic == nullptr) {
    return;
  }
  const std::optional<std::string_view> topic =
      topics::StripPrefix(options_.topic_prefix, message.topic);
  if (!topic) {
    return;
  }
  IncomingMessage incoming{std::string(*topic), std::string(), message.retain};
  if (message.payload != nullptr && message.payloadlen > 0) {
    incoming.payload.assign(static_cast<const char*>(message.payload),
                            static_cast<std::size_t>(message.payloadlen));
  }
  for (const MessageHandler& handler : message_handlers_) {
    try {
      handler(incoming);
    } catch (const std::exception& e) {
      spdlog::error("MQTT: message handler failed on {}: {}", incoming.topic, e.what());
    }
  }
}

}  // namespace corvette::mqtt
