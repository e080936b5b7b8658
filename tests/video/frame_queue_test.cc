#include "video/frame_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "video/frame_pool.h"

namespace corvette::video {
namespace {

class FrameQueueTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Frame> MakeFrame(uint64_t sequence) {
    auto frame = pool_.Acquire();
    frame->set_sequence(sequence);
    return frame;
  }
  FramePool pool_{FramePool::Options{16, 16, 4, 16, "test"}};
};

TEST_F(FrameQueueTest, FifoWithinCapacity) {
  FrameQueue queue(3);
  EXPECT_TRUE(queue.Push(MakeFrame(1)));
  EXPECT_TRUE(queue.Push(MakeFrame(2)));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.Pop(0)->sequence(), 1u);
  EXPECT_EQ(queue.Pop(0)->sequence(), 2u);
  EXPECT_EQ(queue.Pop(0), nullptr);
  EXPECT_EQ(queue.dropped(), 0u);
}

TEST_F(FrameQueueTest, FullQueueDropsOldestKeepsNewestAndCounts) {
  int drop_callbacks = 0;
  FrameQueue queue(2, [&] { ++drop_callbacks; });
  for (uint64_t i = 1; i <= 5; ++i) {
    queue.Push(MakeFrame(i));
  }
  EXPECT_EQ(queue.dropped(), 3u);
  EXPECT_EQ(drop_callbacks, 3);
  EXPECT_EQ(queue.Pop(0)->sequence(), 4u);
  EXPECT_EQ(queue.Pop(0)->sequence(), 5u);
  EXPECT_EQ(queue.TryPop(), nullptr);
}

TEST_F(FrameQueueTest, DroppedFramesGoBackToThePool) {
  FrameQueue queue(1);
  size_t free_before = pool_.free_frames();
  queue.Push(MakeFrame(1));
  queue.Push(MakeFrame(2));
  EXPECT_EQ(pool_.free_frames(), free_before - 1);  // only the queued frame is held
}

TEST_F(FrameQueueTest, PopWaitsForAPush) {
  FrameQueue queue(2);
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    queue.Push(MakeFrame(7));
  });
  auto frame = queue.Pop(10);
  producer.join();
  ASSERT_NE(frame, nullptr);
  EXPECT_EQ(frame->sequence(), 7u);
}

TEST_F(FrameQueueTest, PopTimesOutWhenEmpty) {
  FrameQueue queue(2);
  EXPECT_EQ(queue.Pop(0.01), nullptr);
}

TEST_F(FrameQueueTest, CloseWakesWaitingConsumerAndRejectsPushes) {
  FrameQueue queue(2);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    queue.Close();
  });
  EXPECT_EQ(queue.Pop(60), nullptr);  // returns long before the timeout
  closer.join();
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.Push(MakeFrame(1)));
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.dropped(), 0u);
}

TEST_F(FrameQueueTest, QueuedFramesCanBePoppedAfterClose) {
  FrameQueue queue(2);
  queue.Push(MakeFrame(1));
  queue.Close();
  EXPECT_EQ(queue.Pop(1)->sequence(), 1u);
  EXPECT_EQ(queue.Pop(1), nullptr);
}

}  // namespace
}  // namespace corvette::video
