#pragma once

// Test helpers for the MQTT tests: a real mosquitto broker on a free loopback port, and a plain
// libmosquitto client that records what it receives. Header-only so any test file can include it.

#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace corvette::mqtt::testing {

inline constexpr const char* kMosquittoBinary = "/usr/sbin/mosquitto";

// A TCP port on 127.0.0.1 that nobody listens on right now (the kernel picks it).
inline int FindFreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("socket() failed");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() to a free loopback port failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool LoopbackPortAccepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// A mosquitto broker child process listening on 127.0.0.1:<port>, anonymous, no persistence (so a
// restart forgets retained messages). Its log goes to <temp dir>/mosquitto.log.
class TestBroker {
 public:
  // port 0: a free port is chosen. The broker is not started yet.
  explicit TestBroker(int port = 0) : port_(port == 0 ? FindFreeLoopbackPort() : port) {
    char pattern[] = "/tmp/corvette-mqtt-test-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    SetAllowAnonymous(true);
  }

  // Rewrites the configuration; takes effect at the next Start(). With `allow` false and no
  // password file, the broker refuses every client (CONNACK "not authorised").
  void SetAllowAnonymous(bool allow) {
    std::ofstream conf(dir_ / "mosquitto.conf", std::ios::trunc);
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "allow_anonymous " << (allow ? "true" : "false") << "\n"
         << "persistence false\n"
         << "log_dest stderr\n"
         << "log_type all\n";
  }
  ~TestBroker() {
    Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TestBroker(const TestBroker&) = delete;
  TestBroker& operator=(const TestBroker&) = delete;

  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  std::filesystem::path log_path() const { return dir_ / "mosquitto.log"; }

  // Starts the broker and waits until it accepts connections (throws after ~10 s).
  void Start() {
    if (pid_ > 0) {
      return;
    }
    const std::string conf = (dir_ / "mosquitto.conf").string();
    const std::string log = log_path().string();
    pid_ = ::fork();
    if (pid_ < 0) {
      throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
      }
      ::execl(kMosquittoBinary, "mosquitto", "-c", conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      if (LoopbackPortAccepts(port_)) {
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("mosquitto exited at startup; see " + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
    throw std::runtime_error("mosquitto did not listen on port " + std::to_string(port_));
  }

  // Terminates the broker (SIGTERM, then SIGKILL if it lingers) and reaps it.
  void Stop() {
    if (pid_ <= 0) {
      return;
    }
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 250; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  int port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// A fake broker that accepts one client, answers its CONNECT with a CONNACK and then never reads
// again: the client's socket buffers fill and stay full, as with a broker that hangs.
class StalledBroker {
 public:
  StalledBroker() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;  // inherited by the accepted socket: stall sooner
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 1) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listen_fd_);
      throw std::runtime_error("stalled broker: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      client_fd_ = ::accept(listen_fd_, nullptr, nullptr);
      if (client_fd_ < 0) {
        return;
      }
      char buffer[512];
      if (::recv(client_fd_, buffer, sizeof(buffer), 0) > 0) {  // the CONNECT packet
        const unsigned char connack[] = {0x20, 0x02, 0x00, 0x00};
        ::send(client_fd_, connack, sizeof(connack), MSG_NOSIGNAL);
      }
    });
  }
  ~StalledBroker() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    if (client_fd_ >= 0) {
      ::close(client_fd_);
    }
    ::close(listen_fd_);
  }
  StalledBroker(const StalledBroker&) = delete;
  StalledBroker& operator=(const StalledBroker&) = delete;

  int port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int client_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

struct ReceivedMessage {
  std::string topic;  // full topic, with the prefix
  std::string payload;
  bool retained = false;
};

// An independent MQTT client (plain libmosquitto, its own thread) that subscribes to one filter
// and records every message, standing in for Home Assistant or mosquitto_sub.
class TestSubscriber {
 public:
  // Connects and subscribes, waiting for the broker's SUBACK (throws after ~10 s).
  TestSubscriber(int port, const std::string& filter, const std::string& client_id) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(client_id.c_str(), true, this);
    mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
      auto* me = static_cast<TestSubscriber*>(self);
      if (rc == 0) {
        mosquitto_subscribe(m, nullptr, me->filter_.c_str(), 1);
      }
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
      auto* me = static_cast<TestSubscriber*>(self);
      std::lock_guard lock(me->mutex_);
      me->subscribed_ = true;
      me->cv_.notify_all();
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* me = static_cast<TestSubscriber*>(self);
      ReceivedMessage r{m->topic, std::string(), m->retain};
      if (m->payloadlen > 0) {
        r.payload.assign(static_cast<const char*>(m->payload), m->payloadlen);
      }
      std::lock_guard lock(me->mutex_);
      me->messages_.push_back(std::move(r));
      me->cv_.notify_all();
    });
    filter_ = filter;
    if (mosquitto_connect(mosq_, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS ||
        mosquitto_loop_start(mosq_) != MOSQ_ERR_SUCCESS) {
      mosquitto_destroy(mosq_);
      throw std::runtime_error("test subscriber cannot connect to port " + std::to_string(port));
    }
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [this] { return subscribed_; })) {
      lock.unlock();
      Close();
      throw std::runtime_error("test subscriber got no SUBACK");
    }
  }
  ~TestSubscriber() { Close(); }
  TestSubscriber(const TestSubscriber&) = delete;
  TestSubscriber& operator=(const TestSubscriber&) = delete;

  // The first recorded message (from the start) that satisfies `match`, waiting up to `timeout`.
  std::optional<ReceivedMessage> WaitFor(std::function<bool(const ReceivedMessage&)> match,
                                         std::chrono::seconds timeout = std::chrono::seconds(15)) {
    std::optional<ReceivedMessage> found;
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] {
      for (const ReceivedMessage& m : messages_) {
        if (match(m)) {
          found = m;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::optional<ReceivedMessage> WaitFor(const std::string& topic, const std::string& payload,
                                         std::chrono::seconds timeout = std::chrono::seconds(15)) {
    return WaitFor(
        [&](const ReceivedMessage& m) { return m.topic == topic && m.payload == payload; },
        timeout);
  }

  std::vector<ReceivedMessage> Messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

  // Publishes with QoS 1 (delivery to the broker is asynchronous).
  void Publish(const std::string& topic, const std::string& payload, bool retain = false) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                      payload.data(), 1, retain);
  }

 private:
  void Close() {
    if (mosq_ == nullptr) {
      return;
    }
    const bool disconnected = mosquitto_disconnect(mosq_) == MOSQ_ERR_SUCCESS;
    mosquitto_loop_stop(mosq_, /*force=*/!disconnected);
    mosquitto_destroy(mosq_);
    mosq_ = nullptr;
  }

  mosquitto* mosq_ = nullptr;
  std::string filter_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool subscribed_ = false;
  std::vector<ReceivedMessage> messages_;
};

}  // namespace corvette::mqtt::testing
