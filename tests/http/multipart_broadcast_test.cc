#include "http/multipart_broadcast.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../support/wait_for.h"

namespace corvette::http {
namespace {

using namespace std::chrono_literals;
using corvette::testing::WaitFor;

// Records what a broadcast offers it (from the broadcast's strand).
class RecordingSubscriber : public PartSubscriber {
 public:
  void OfferPart(std::shared_ptr<const std::string> part) override {
    std::lock_guard lock(mutex_);
    parts_.push_back(std::move(part));
  }
  void EndOfParts() override { ended_ = true; }

  std::vector<std::shared_ptr<const std::string>> parts() const {
    std::lock_guard lock(mutex_);
    return parts_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return parts_.size();
  }
  bool ended() const { return ended_; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const std::string>> parts_;
  std::atomic<bool> ended_{false};
};

// A producer counting its calls; parts are "JPEG<call>"; `token` is captured by the callback so a
// test can see when the broadcast has let go of it.
struct Producer {
  std::atomic<int> calls{0};
  std::shared_ptr<int> token = std::make_shared<int>(0);
  int last_part = -1;  // calls after this many give nullptr; -1 = endless
};

std::shared_ptr<MultipartStream> CountingStream(const std::shared_ptr<Producer>& producer,
                                                std::string key = "",
                                                std::chrono::milliseconds interval = 10ms) {
  auto stream = std::make_shared<MultipartStream>();
  stream->interval = interval;
  stream->shared_key = std::move(key);
  stream->next_part = [producer = producer.get(),
                       token = producer->token]() -> std::shared_ptr<const std::string> {
    const int call = ++producer->calls;
    if (producer->last_part >= 0 && call > producer->last_part)
      return nullptr;
    return std::make_shared<const std::string>("JPEG" + std::to_string(call));
  };
  return stream;
}

class MultipartBroadcastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  MultipartBroadcasts broadcasts_;
};

TEST_F(MultipartBroadcastTest, FramesEachPartOnceInOneBuffer) {
  auto producer = std::make_shared<Producer>();
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer));
  auto viewer = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(viewer);
  ASSERT_TRUE(WaitFor([&] { return viewer->count() >= 2; }));
  broadcast->Unsubscribe(viewer.get());
  EXPECT_EQ(*viewer->parts()[0], "--frame\r\nContent-Type: image/jpeg\r\n\r\nJPEG1\r\n\r\n");
  EXPECT_EQ(*viewer->parts()[1], "--frame\r\nContent-Type: image/jpeg\r\n\r\nJPEG2\r\n\r\n");
}

TEST_F(MultipartBroadcastTest, ViewersWithTheSameKeyShareOneCallAndOneBufferPerPart) {
  auto producer = std::make_shared<Producer>();
  auto other_producer = std::make_shared<Producer>();
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer, "cam?h=360"));
  // The second viewer's own callback is never used.
  auto same = broadcasts_.Join(io_, CountingStream(other_producer, "cam?h=360"));
  ASSERT_EQ(broadcast, same);
  auto first = std::make_shared<RecordingSubscriber>();
  auto second = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(first);
  same->Subscribe(second);
  ASSERT_TRUE(WaitFor([&] { return first->count() >= 6 && second->count() >= 6; }));
  broadcast->Unsubscribe(first.get());
  same->Unsubscribe(second.get());
  ASSERT_TRUE(WaitFor([&] { return broadcasts_.Stats().broadcasts == 0; }));

  EXPECT_EQ(other_producer->calls, 0);
  // One call per part (plus perhaps a tick between the two leaving), and the second viewer got
  // the very buffers the first one got (it joined with the latest part, then every tick's).
  const auto a = first->parts();
  const auto b = second->parts();
  EXPECT_GE(producer->calls, static_cast<int>(a.size()));
  EXPECT_LE(producer->calls, static_cast<int>(a.size()) + 1);
  std::size_t shared = 0;
  for (const auto& part : b) {
    shared += std::find(a.begin(), a.end(), part) != a.end() ? 1 : 0;
  }
  EXPECT_GE(shared + 1, b.size());
  const StreamStats stats = broadcasts_.Stats();
  EXPECT_EQ(stats.parts_made, static_cast<std::uint64_t>(producer->calls.load()));
  EXPECT_EQ(stats.viewers, 0u);
}

TEST_F(MultipartBroadcastTest, DifferentKeysOrIntervalsAreDifferentBroadcasts) {
  auto producer = std::make_shared<Producer>();
  auto a = broadcasts_.Join(io_, CountingStream(producer, "cam?h=360"));
  EXPECT_NE(a, broadcasts_.Join(io_, CountingStream(producer, "cam?h=180")));
  EXPECT_NE(a, broadcasts_.Join(io_, CountingStream(producer, "cam?h=360", 20ms)));
  EXPECT_EQ(a, broadcasts_.Join(io_, CountingStream(producer, "cam?h=360")));
  // No key: a broadcast of its own every time.
  auto unkeyed = broadcasts_.Join(io_, CountingStream(producer));
  EXPECT_NE(unkeyed, broadcasts_.Join(io_, CountingStream(producer)));
}

TEST_F(MultipartBroadcastTest, AViewerThatLeavesIsOfferedNothingMore) {
  auto producer = std::make_shared<Producer>();
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer, "cam"));
  auto staying = std::make_shared<RecordingSubscriber>();
  auto leaving = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(staying);
  broadcast->Subscribe(leaving);
  ASSERT_TRUE(WaitFor([&] { return leaving->count() >= 3; }));
  broadcast->Unsubscribe(leaving.get());
  const std::size_t at_leaving = leaving->count();
  const std::size_t staying_at_leaving = staying->count();
  ASSERT_TRUE(WaitFor([&] { return staying->count() >= staying_at_leaving + 5; }));
  // At most a tick that was already offering when Unsubscribe was called.
  EXPECT_LE(leaving->count(), at_leaving + 1);
  EXPECT_EQ(broadcasts_.Stats().viewers, 1u);
  broadcast->Unsubscribe(staying.get());
}

TEST_F(MultipartBroadcastTest, ADestroyedViewerIsDropped) {
  auto producer = std::make_shared<Producer>();
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer, "cam"));
  auto viewer = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(viewer);
  ASSERT_TRUE(WaitFor([&] { return viewer->count() >= 2; }));
  viewer.reset();  // gone without unsubscribing: the next tick notices
  EXPECT_TRUE(WaitFor([&] { return broadcasts_.Stats().viewers == 0; }));
  EXPECT_TRUE(WaitFor([&] { return broadcasts_.Stats().broadcasts == 0; }));
}

TEST_F(MultipartBroadcastTest, TheLastViewerLeavingStopsTheProducerAndReleasesIt) {
  auto producer = std::make_shared<Producer>();
  std::weak_ptr<int> token = producer->token;
  producer->token.reset();
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer, "cam"));
  auto viewer = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(viewer);
  ASSERT_TRUE(WaitFor([&] { return viewer->count() >= 2; }));
  broadcast->Unsubscribe(viewer.get());
  broadcast.reset();
  EXPECT_TRUE(WaitFor([&] { return token.expired(); }));
  const int calls = producer->calls;
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(producer->calls, calls);
  EXPECT_EQ(broadcasts_.Stats().broadcasts, 0u);
}

TEST_F(MultipartBroadcastTest, AViewerJoiningARunningBroadcastGetsTheLatestPartAtOnce) {
  auto producer = std::make_shared<Producer>();
  // A long interval: without the latest part at joining, the second viewer would wait for it.
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer, "cam", 60s));
  auto first = std::make_shared<RecordingSubscriber>();
  auto second = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(first);
  ASSERT_TRUE(WaitFor([&] { return first->count() == 1; }));
  broadcast->Subscribe(second);
  ASSERT_TRUE(WaitFor([&] { return second->count() == 1; }));
  EXPECT_EQ(second->parts()[0], first->parts()[0]);
  EXPECT_EQ(producer->calls, 1);
  broadcast->Unsubscribe(first.get());
  broadcast->Unsubscribe(second.get());
}

TEST_F(MultipartBroadcastTest, NoMorePartsEndsEveryViewerAndTheKeyStartsAfresh) {
  auto producer = std::make_shared<Producer>();
  producer->last_part = 3;
  auto broadcast = broadcasts_.Join(io_, CountingStream(producer, "cam"));
  auto first = std::make_shared<RecordingSubscriber>();
  auto second = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(first);
  broadcast->Subscribe(second);
  ASSERT_TRUE(WaitFor([&] { return first->ended() && second->ended(); }));
  EXPECT_EQ(first->count(), 3u);
  EXPECT_TRUE(broadcast->ended());
  // Joining an ended broadcast ends at once; the key gets a new broadcast.
  auto late = std::make_shared<RecordingSubscriber>();
  broadcast->Subscribe(late);
  EXPECT_TRUE(WaitFor([&] { return late->ended(); }));
  auto fresh_producer = std::make_shared<Producer>();
  auto fresh = broadcasts_.Join(io_, CountingStream(fresh_producer, "cam"));
  EXPECT_NE(fresh, broadcast);
  EXPECT_EQ(broadcasts_.Stats().viewers, 0u);
}

TEST(PartWriteSlotTest, ASlowWriterKeepsOnlyTheNewestWaitingPart) {
  PartWriteSlot slot;
  auto part = [](const char* text) { return std::make_shared<const std::string>(text); };
  auto first = part("1");
  EXPECT_EQ(slot.Offer(first), first);  // nothing being written: write it now
  EXPECT_TRUE(slot.writing());
  EXPECT_EQ(slot.Offer(part("2")), nullptr);
  EXPECT_EQ(slot.Offer(part("3")), nullptr);
  auto fourth = part("4");
  EXPECT_EQ(slot.Offer(fourth), nullptr);
  EXPECT_EQ(slot.skipped(), 2u);  // 2 and 3 were replaced, never written
  EXPECT_EQ(slot.Written(), fourth);
  EXPECT_TRUE(slot.writing());
  EXPECT_FALSE(slot.waiting());
  EXPECT_EQ(slot.Written(), nullptr);
  EXPECT_FALSE(slot.writing());
  auto fifth = part("5");
  EXPECT_EQ(slot.Offer(fifth), fifth);
}

}  // namespace
}  // namespace corvette::http
