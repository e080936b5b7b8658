#include "mqtt/mqtt_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "../support/wait_for.h"
#include "mqtt/commands.h"
#include "mqtt/ws_relay_policy.h"
#include "test_broker.h"

namespace corvette::mqtt {
namespace {

using corvette::testing::WaitFor;
using testing::ReceivedMessage;
using testing::TestBroker;
using testing::TestSubscriber;

std::string TestName() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

MqttOptions OptionsFor(const TestBroker& broker, std::string prefix = "frigate") {
  MqttOptions options;
  options.host = "127.0.0.1";
  options.port = broker.port();
  options.topic_prefix = std::move(prefix);
  options.client_id = "corvette-" + TestName();
  options.reconnect_delay_min_seconds = 0.2;
  options.reconnect_delay_max_seconds = 1.0;
  return options;
}

bool IsRetained(const std::optional<ReceivedMessage>& m) {
  return m && m->retained;
}

TEST(MqttClientTest, PublishesAvailableOnlineRetainedAfterConnecting) {
  TestBroker broker;
  broker.Start();
  MqttClient client(OptionsFor(broker));
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));

  // A client that subscribes afterwards gets `online` as a retained message.
  TestSubscriber ha(broker.port(), "frigate/available", "ha-" + TestName());
  EXPECT_TRUE(IsRetained(ha.WaitFor("frigate/available", "online")));
  EXPECT_EQ(client.Stats().connects, 1u);
  EXPECT_GE(client.Stats().published, 1u);
}

TEST(MqttClientTest, PublishedMessagesArriveUnderThePrefix) {
  TestBroker broker;
  broker.Start();
  TestSubscriber ha(broker.port(), "nvr/#", "ha-" + TestName());
  MqttClient client(OptionsFor(broker, "nvr"));
  client.Start();
  EXPECT_TRUE(client.Publish("front/person", "1"));
  EXPECT_TRUE(client.Publish("front/person/snapshot", std::string("\xFF\xD8\x00\xFF", 4), true));
  const std::optional<ReceivedMessage> count = ha.WaitFor("nvr/front/person", "1");
  ASSERT_TRUE(count);
  EXPECT_FALSE(count->retained);
  EXPECT_TRUE(ha.WaitFor("nvr/front/person/snapshot", std::string("\xFF\xD8\x00\xFF", 4)));
  EXPECT_TRUE(ha.WaitFor("nvr/available", "online"));
  EXPECT_EQ(client.Stats().dropped, 0u);
}

TEST(MqttClientTest, CleanStopPublishesOfflineRetained) {
  TestBroker broker;
  broker.Start();
  {
    MqttClient client(OptionsFor(broker));
    client.Start();
    ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));
    client.Stop();
    EXPECT_FALSE(client.Stats().connected);
    EXPECT_FALSE(client.Publish("stats", "{}"));
  }
  TestSubscriber ha(broker.port(), "frigate/available", "ha-" + TestName());
  EXPECT_TRUE(IsRetained(ha.WaitFor("frigate/available", "offline")));
}

// The client in a child process that is killed: the broker delivers the last will.
TEST(MqttClientTest, UncleanDeathDeliversTheLastWill) {
  TestBroker broker;
  broker.Start();
  const MqttOptions options = OptionsFor(broker);
  // Fork while this process has no other thread (the subscriber comes after), so the child's
  // client starts its threads from a clean copy.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    MqttClient client(options);
    client.Start();
    while (true) {
      ::pause();
    }
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{child};
  TestSubscriber ha(broker.port(), "frigate/available", "ha-" + TestName());

  ASSERT_TRUE(ha.WaitFor("frigate/available", "online"));
  ::kill(child, SIGKILL);
  const std::optional<ReceivedMessage> will = ha.WaitFor("frigate/available", "offline");
  ASSERT_TRUE(will);
  // And it stays: a later subscriber sees it retained.
  TestSubscriber later(broker.port(), "frigate/available", "later-" + TestName());
  EXPECT_TRUE(IsRetained(later.WaitFor("frigate/available", "offline")));
}

TEST(MqttClientTest, ReconnectsAfterABrokerRestartAndRepublishes) {
  TestBroker broker;
  broker.Start();
  std::atomic<int> connect_calls = 0;  // outlives the client, whose handler uses it
  MqttClient client(OptionsFor(broker));
  client.AddConnectHandler([&] {
    ++connect_calls;
    client.Publish(StateMessage("front", Feature::kDetect, true));
  });
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return connect_calls == 1; }));

  broker.Stop();  // forgets every retained message (no persistence)
  ASSERT_TRUE(WaitFor([&] { return !client.Stats().connected; }));
  broker.Start();
  ASSERT_TRUE(WaitFor([&] { return connect_calls == 2 && client.Stats().connected; }));
  EXPECT_EQ(client.Stats().connects, 2u);

  TestSubscriber ha(broker.port(), "frigate/#", "ha-" + TestName());
  EXPECT_TRUE(IsRetained(ha.WaitFor("frigate/available", "online")));
  EXPECT_TRUE(IsRetained(ha.WaitFor("frigate/front/detect/state", "ON")));
}

TEST(MqttClientTest, ABrokerDownAtStartupIsRetriedUntilItComes) {
  TestBroker broker;  // not started yet
  MqttClient client(OptionsFor(broker));
  client.Start();
  EXPECT_TRUE(client.Publish(StateMessage("front", Feature::kClips, false)));
  EXPECT_FALSE(client.Stats().connected);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let a few attempts fail
  broker.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));
  // The queued state reaches the broker retained. A subscriber that came before the message would
  // get it live (not flagged retained), so each look is a new subscriber.
  int look = 0;
  EXPECT_TRUE(WaitFor([&] {
    TestSubscriber ha(broker.port(), "frigate/#", "ha-" + TestName() + std::to_string(++look));
    return IsRetained(ha.WaitFor("frigate/available", "online", std::chrono::seconds(1))) &&
           IsRetained(ha.WaitFor("frigate/front/clips/state", "OFF", std::chrono::seconds(1)));
  }));
}

TEST(MqttClientTest, PublishingWhileDisconnectedQueuesUpToTheBoundAndKeepsTheLatestState) {
  TestBroker broker;  // not started: everything below happens with no broker
  MqttOptions options = OptionsFor(broker);
  options.queue_capacity = 10;
  MqttClient client(options);
  client.Start();
  constexpr int kMessages = 1000;
  for (int i = 0; i < kMessages; ++i) {
    client.Publish("events", std::to_string(i));
    client.Publish("front/detect/state", i % 2 == 0 ? "ON" : "OFF", /*retain=*/true);
  }
  MqttStats stats = client.Stats();
  EXPECT_EQ(stats.queued, 10u);  // the latest state and the 9 newest events
  EXPECT_EQ(stats.dropped, static_cast<std::uint64_t>(kMessages - 9));
  EXPECT_EQ(stats.published, 0u);

  broker.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().queued == 0; }));
  TestSubscriber ha(broker.port(), "frigate/front/#", "ha-" + TestName());
  const std::optional<ReceivedMessage> state =
      ha.WaitFor([](const ReceivedMessage& m) { return m.topic == "frigate/front/detect/state"; });
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->retained);
  EXPECT_EQ(state->payload, "OFF");          // the last value published
  EXPECT_GE(client.Stats().published, 11u);  // online + the 10 queued
}

TEST(MqttClientTest, SetMessagesReachTheCommandHandler) {
  TestBroker broker;
  broker.Start();
  const SetCommandParser parser({"front"});
  std::mutex mutex;
  std::vector<IncomingMessage> set_messages;
  FeatureStates front_states;
  MqttClient client(OptionsFor(broker));  // after what its handler uses: destroyed first
  client.AddMessageHandler([&](const IncomingMessage& message) {
    const SetParseResult result = parser.Parse(message.topic, message.payload);
    if (result.status == SetStatus::kNotASetTopic) {
      return;
    }
    std::lock_guard lock(mutex);
    set_messages.push_back(message);
    if (result.command) {
      front_states.Set(result.command->feature, result.command->enabled);
      client.Publish(
          StateMessage(result.command->camera, result.command->feature, result.command->enabled));
    }
  });
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));

  TestSubscriber ha(broker.port(), "frigate/front/detect/state", "ha-" + TestName());
  ha.Publish("frigate/front/detect/set", "OFF");
  // Wait: states of one topic still queued together are coalesced to the newest.
  ASSERT_TRUE(ha.WaitFor("frigate/front/detect/state", "OFF"));
  ha.Publish("frigate/front/detect/set", "bogus");  // invalid: changes nothing, not echoed
  ha.Publish("frigate/garage/detect/set", "OFF");   // unknown camera: ignored
  ha.Publish("frigate/front/detect/set", "ON");
  ASSERT_TRUE(ha.WaitFor("frigate/front/detect/state", "ON"));

  std::vector<std::string> states;
  for (const ReceivedMessage& m : ha.Messages()) {
    states.push_back(m.payload);
  }
  EXPECT_EQ(states, (std::vector<std::string>{"OFF", "ON"}));

  std::lock_guard lock(mutex);
  ASSERT_EQ(set_messages.size(), 4u);
  EXPECT_EQ(set_messages[0].topic, "front/detect/set");
  EXPECT_EQ(set_messages[0].payload, "OFF");
  EXPECT_FALSE(set_messages[0].retained);
  EXPECT_EQ(set_messages[1].payload, "bogus");
  EXPECT_EQ(set_messages[2].topic, "garage/detect/set");
  EXPECT_TRUE(front_states.detect);
}

TEST(MqttClientTest, ARetainedSetIsDeliveredOnSubscribe) {
  TestBroker broker;
  broker.Start();
  {
    TestSubscriber other(broker.port(), "unrelated", "other-" + TestName());
    other.Publish("frigate/front/clips/set", "ON", /*retain=*/true);
    ASSERT_TRUE(other.WaitFor([](const ReceivedMessage&) { return false; },
                              std::chrono::seconds(0)) == std::nullopt);
  }
  std::mutex mutex;
  std::optional<IncomingMessage> received;
  MqttClient client(OptionsFor(broker));
  client.AddMessageHandler([&](const IncomingMessage& message) {
    if (message.topic == "front/clips/set") {
      std::lock_guard lock(mutex);
      received = message;
    }
  });
  client.Start();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return received.has_value();
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(received->payload, "ON");
  EXPECT_TRUE(received->retained);
}

// The connect handlers publish every /state; they must see the retained commands applied first,
// or a retained `clips/set ON` shows as a `clips/state OFF` followed by `ON`.
TEST(MqttClientTest, ConnectHandlersRunAfterTheRetainedMessagesOfTheSubscription) {
  TestBroker broker;
  broker.Start();
  constexpr int kCameras = 40;
  {
    TestSubscriber other(broker.port(), "frigate/#", "other-" + TestName());
    for (int i = 0; i < kCameras; ++i) {
      other.Publish("frigate/cam" + std::to_string(i) + "/clips/set", "ON", /*retain=*/true);
    }
    // Our own subscription sees the last one once the broker holds all of them.
    ASSERT_TRUE(other.WaitFor("frigate/cam" + std::to_string(kCameras - 1) + "/clips/set", "ON"));
  }
  std::atomic<int> retained_sets{0};
  std::atomic<int> seen_at_first_connect{-1};
  MqttClient client(OptionsFor(broker));
  client.AddMessageHandler([&](const IncomingMessage& message) {
    if (message.retained && message.topic.ends_with("/clips/set")) {
      retained_sets.fetch_add(1);
    }
  });
  client.AddConnectHandler([&] {
    int unset = -1;
    seen_at_first_connect.compare_exchange_strong(unset, retained_sets.load());
  });
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return seen_at_first_connect.load() >= 0; }));
  EXPECT_EQ(seen_at_first_connect.load(), kCameras);
}

// 0.8's paho and libmosquitto's own loop thread give up after a refused CONNECT; we retry.
TEST(MqttClientTest, ARefusedConnectionIsRetried) {
  TestBroker broker;
  broker.SetAllowAnonymous(false);
  broker.Start();
  MqttClient client(OptionsFor(broker));
  client.Start();
  const auto refusals = [&] {  // the broker logs each refusal; ours is its only client
    std::ifstream log(broker.log_path());
    int count = 0;
    for (std::string line; std::getline(log, line);) {
      count += line.find("not authorised") != std::string::npos ? 1 : 0;
    }
    return count;
  };
  ASSERT_TRUE(WaitFor([&] { return refusals() >= 2; }));
  EXPECT_FALSE(client.Stats().connected);

  broker.Stop();
  broker.SetAllowAnonymous(true);
  broker.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));
  TestSubscriber ha(broker.port(), "frigate/available", "ha-" + TestName());
  EXPECT_TRUE(IsRetained(ha.WaitFor("frigate/available", "online")));
}

// A broker that stops reading: Publish keeps returning, the queue and the messages in flight stay
// bounded, and every message is accounted for as published, queued or dropped.
TEST(MqttClientTest, AStalledBrokerNeverBlocksPublishAndBoundsWhatIsHeld) {
  testing::StalledBroker broker;
  MqttOptions options;
  options.port = broker.port();
  options.client_id = "corvette-" + TestName();
  options.queue_capacity = 50;
  options.max_in_flight = 4;
  options.shutdown_timeout_seconds = 0.2;
  MqttClient client(options);
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));

  const std::string jpeg(64 * 1024, '\xAB');
  constexpr int kMessages = 2000;  // 128 MiB: far beyond any socket buffer
  for (int i = 0; i < kMessages; ++i) {
    client.Publish("front/person/snapshot", jpeg, /*retain=*/false);
  }
  const MqttStats stats = client.Stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_LE(stats.queued, options.queue_capacity);
  EXPECT_GT(stats.dropped, static_cast<std::uint64_t>(kMessages / 2));
  EXPECT_LT(stats.published, static_cast<std::uint64_t>(kMessages / 2));
  // Every message (`available` and the Publish calls) is published, queued or dropped, except
  // possibly the one the sender holds between queue and connection.
  const std::uint64_t accounted = stats.published + stats.queued + stats.dropped;
  EXPECT_LE(accounted, kMessages + 1u);
  EXPECT_GE(accounted, static_cast<std::uint64_t>(kMessages));
  client.Stop();  // returns although the broker acknowledges nothing
  EXPECT_FALSE(client.Stats().connected);
}

// A broker that hangs without closing the socket is noticed by the keepalive (PINGREQ unanswered),
// so `connected` does not lie and the client goes back to reconnecting.
TEST(MqttClientTest, AHungBrokerIsNoticedByTheKeepalive) {
  testing::StalledBroker broker;
  MqttOptions options;
  options.port = broker.port();
  options.client_id = "corvette-" + TestName();
  options.keepalive_seconds = 1;  // raised to libmosquitto's minimum, 5
  options.shutdown_timeout_seconds = 0.2;
  MqttClient client(options);
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return client.Stats().connected; }));
  EXPECT_TRUE(WaitFor([&] { return !client.Stats().connected; }, std::chrono::seconds(30)));
}

// Our own publications come back through the `<prefix>/#` subscription, which is what the
// WebSocket relay forwards: text as JSON, binary snapshots skipped.
TEST(MqttClientTest, OwnMessagesComeBackForTheWebSocketRelay) {
  TestBroker broker;
  broker.Start();
  std::mutex mutex;
  std::vector<std::string> relayed;
  int snapshots_seen = 0;
  MqttClient client(OptionsFor(broker));
  client.AddMessageHandler([&](const IncomingMessage& message) {
    std::lock_guard lock(mutex);
    if (message.topic == "front/person/snapshot") {
      ++snapshots_seen;
    }
    if (std::optional<std::string> json = RelayMessageJson(message)) {
      relayed.push_back(std::move(*json));
    }
  });
  client.Start();
  client.Publish("front/person/snapshot", std::string("\xFF\xD8\xFF\xE0", 4), true);
  client.Publish("front/detect/state", "ON", true);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return snapshots_seen == 1 && relayed.size() >= 2;
  }));
  std::lock_guard lock(mutex);
  EXPECT_NE(
      std::find(relayed.begin(), relayed.end(), R"({"topic":"front/detect/state","payload":"ON"})"),
      relayed.end());
  EXPECT_NE(
      std::find(relayed.begin(), relayed.end(), R"({"topic":"available","payload":"online"})"),
      relayed.end());
  for (const std::string& json : relayed) {
    EXPECT_EQ(json.find("snapshot"), std::string::npos) << json;
  }
}

TEST(MqttClientTest, StopWithoutABrokerReturns) {
  TestBroker broker;  // never started
  MqttClient client(OptionsFor(broker));
  client.Start();
  client.Publish("stats", "{}");
  client.Stop();
  EXPECT_FALSE(client.Stats().connected);
  EXPECT_EQ(client.Stats().queued, 0u);
  EXPECT_EQ(client.Stats().dropped, 1u);  // the stats message never went out
}

}  // namespace
}  // namespace corvette::mqtt
