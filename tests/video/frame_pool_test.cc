#include "video/frame_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

// Counts heap allocations made by the thread that sets `counting`, to check that a warm pool
// allocates nothing.
namespace {
thread_local bool counting = false;
std::atomic<long> allocations{0};
}  // namespace

// The replacements pair operator new with free(), which GCC cannot see is consistent.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (counting) {
    allocations.fetch_add(1);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace corvette::video {
namespace {

FramePool::Options Geometry(size_t initial, size_t max_retained) {
  FramePool::Options options;
  options.width = 64;
  options.height = 48;
  options.initial_frames = initial;
  options.max_retained_frames = max_retained;
  options.name = "test";
  return options;
}

TEST(FrameTest, I420GeometryAndPlanes) {
  EXPECT_EQ(I420Size(320, 240), 320u * 240 * 3 / 2);
  EXPECT_EQ(I420Size(3, 3), 9u + 2 * 4);  // chroma rounds up, as ffmpeg's yuv420p
  Frame frame(64, 48);
  EXPECT_EQ(frame.size_bytes(), 64u * 48 * 3 / 2);
  EXPECT_EQ(frame.u() - frame.y(), 64 * 48);
  EXPECT_EQ(frame.v() - frame.u(), 32 * 24);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(frame.data()) % 64, 0u);
}

TEST(FramePoolTest, ReleasedBufferComesBack) {
  FramePool pool(Geometry(1, 4));
  const uint8_t* first_buffer;
  {
    std::shared_ptr<Frame> frame = pool.Acquire();
    first_buffer = frame->data();
    EXPECT_EQ(pool.free_frames(), 0u);
    std::shared_ptr<const Frame> published = std::move(frame);  // readers hold const frames
    std::shared_ptr<const Frame> another_reader = published;
    published.reset();
    EXPECT_EQ(pool.free_frames(), 0u);  // still held by another_reader
  }
  EXPECT_EQ(pool.free_frames(), 1u);
  EXPECT_EQ(pool.Acquire()->data(), first_buffer);
  EXPECT_EQ(pool.total_frames(), 1u);
}

TEST(FramePoolTest, GrowsWhenAllFramesAreHeldAndKeepsAtMostTheMaximum) {
  FramePool pool(Geometry(2, 3));
  std::vector<std::shared_ptr<Frame>> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(pool.Acquire());
  }
  EXPECT_EQ(pool.total_frames(), 5u);
  for (size_t i = 0; i < held.size(); ++i) {
    for (size_t j = i + 1; j < held.size(); ++j) {
      EXPECT_NE(held[i]->data(), held[j]->data());
    }
  }
  held.clear();
  EXPECT_EQ(pool.total_frames(), 3u);
  EXPECT_EQ(pool.free_frames(), 3u);
}

TEST(FramePoolTest, FramesOutliveThePool) {
  std::shared_ptr<const Frame> frame;
  {
    FramePool pool(Geometry(1, 1));
    auto writable = pool.Acquire();
    writable->mutable_data()[0] = 42;
    frame = std::move(writable);
  }
  EXPECT_EQ(frame->data()[0], 42);
  frame.reset();  // returns the buffer to the pool's state, which then goes away (ASan/valgrind: no
                  // leak)
}

TEST(FramePoolTest, WarmPoolDoesNotAllocate) {
  FramePool pool(Geometry(4, 8));
  std::vector<std::shared_ptr<const Frame>> held;
  held.reserve(3);
  allocations = 0;
  counting = true;
  for (int i = 0; i < 1000; ++i) {
    auto frame = pool.Acquire();
    frame->set_sequence(i);
    held.push_back(std::move(frame));
    if (held.size() == 3) {
      held.clear();
    }
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
}

TEST(FramePoolTest, ConcurrentAcquireAndRelease) {
  FramePool pool(Geometry(4, 8));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 2000; ++i) {
        auto frame = pool.Acquire();
        frame->mutable_data()[0] = static_cast<uint8_t>(t);
        std::shared_ptr<const Frame> shared = std::move(frame);
        ASSERT_EQ(shared->data()[0], static_cast<uint8_t>(t));  // nobody else writes a held frame
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_LE(pool.total_frames(), 8u);
  EXPECT_EQ(pool.free_frames(), pool.total_frames());
}

}  // namespace
}  // namespace corvette::video
