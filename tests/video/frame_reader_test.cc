#include "video/frame_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "video/child_process.h"

namespace corvette::video {
namespace {

constexpr int kWidth = 320;
constexpr int kHeight = 240;

std::vector<std::string> TestSourceCommand() {
  return {"ffmpeg",    "-hide_banner",
          "-loglevel", "error",
          "-f",        "lavfi",
          "-i",        "testsrc=size=320x240:rate=10",
          "-t",        "2",
          "-f",        "rawvideo",
          "-pix_fmt",  "yuv420p",
          "pipe:"};
}

FramePool::Options Geometry() {
  FramePool::Options options;
  options.width = kWidth;
  options.height = kHeight;
  options.initial_frames = 4;
  options.max_retained_frames = 32;
  return options;
}

// The same ffmpeg command's output, read in one go by ffmpeg writing to a file.
std::string ReferenceOutput() {
  std::string path = ::testing::TempDir() + "/frame_reader_reference.yuv";
  std::vector<std::string> argv = TestSourceCommand();
  argv.back() = path;
  argv.insert(argv.begin() + 1, "-y");
  ChildProcess ffmpeg(ChildProcess::Options{argv});
  EXPECT_EQ(ffmpeg.Wait().code, 0);
  std::string data;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buffer[65536];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) {
      data.append(buffer, n);
    }
    std::fclose(f);
  }
  std::remove(path.c_str());
  return data;
}

TEST(FrameReaderTest, ReadsEveryFrameOfRealFfmpegOutput) {
  FramePool pool(Geometry());
  FrameQueue queue(32);
  auto& clock = util::SystemClock::Instance();
  ChildProcess::Options options{TestSourceCommand()};
  options.capture_stdout = true;
  ChildProcess ffmpeg(options);
  int callbacks = 0;
  FrameReaderOptions reader_options;
  reader_options.on_frame_read = [&] { ++callbacks; };
  double before = clock.Now();
  FrameReader reader(ffmpeg.stdout_fd(), pool, queue, clock, reader_options);
  FrameReader::Result result = reader.Run();
  double after = clock.Now();
  EXPECT_EQ(ffmpeg.Wait().code, 0);

  EXPECT_EQ(result.reason, FrameReader::EndReason::kEndOfStream);
  EXPECT_EQ(result.frames, 20u);  // 2 s at 10 fps
  EXPECT_EQ(result.discarded_bytes, 0u);
  EXPECT_EQ(reader.frames_read(), 20u);
  EXPECT_EQ(callbacks, 20);
  ASSERT_EQ(queue.size(), 20u);

  std::string reference = ReferenceOutput();
  ASSERT_EQ(reference.size(), 20u * I420Size(kWidth, kHeight));
  double previous_time = 0;
  for (uint64_t i = 0; i < 20; ++i) {
    auto frame = queue.Pop(0);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(frame->sequence(), i);
    EXPECT_EQ(frame->width(), kWidth);
    EXPECT_EQ(frame->height(), kHeight);
    EXPECT_EQ(frame->size_bytes(), 115200u);
    EXPECT_GE(frame->frame_time(), before);
    EXPECT_LE(frame->frame_time(), after);
    EXPECT_GE(frame->frame_time(), previous_time);
    previous_time = frame->frame_time();
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(frame->data()), frame->size_bytes()),
              reference.substr(i * frame->size_bytes(), frame->size_bytes()))
        << "frame " << i;
  }
}

class PipeFrameReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe(fds_), 0); }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  void Write(size_t bytes, uint8_t value) {
    std::vector<uint8_t> data(bytes, value);
    ASSERT_EQ(::write(fds_[1], data.data(), bytes), static_cast<ssize_t>(bytes));
  }
  void CloseWriteEnd() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }

  int fds_[2] = {-1, -1};
  FramePool::Options geometry_{16, 8, 2, 8, "test"};  // 192-byte frames
  FramePool pool_{geometry_};
  FrameQueue queue_{8};
  util::ManualClock clock_{1'700'000'000.0};
};

TEST_F(PipeFrameReaderTest, PartialFrameAtEndIsNotDelivered) {
  const size_t frame_bytes = I420Size(16, 8);
  Write(frame_bytes, 1);
  Write(frame_bytes, 2);
  Write(frame_bytes / 2, 3);
  CloseWriteEnd();
  FrameReaderOptions options;
  options.first_sequence = 40;
  FrameReader reader(fds_[0], pool_, queue_, clock_, options);
  FrameReader::Result result = reader.Run();
  EXPECT_EQ(result.reason, FrameReader::EndReason::kEndOfStream);
  EXPECT_EQ(result.frames, 2u);
  EXPECT_EQ(result.discarded_bytes, frame_bytes / 2);
  ASSERT_EQ(queue_.size(), 2u);
  auto first = queue_.Pop(0);
  auto second = queue_.Pop(0);
  EXPECT_EQ(first->data()[0], 1);
  EXPECT_EQ(first->data()[frame_bytes - 1], 1);
  EXPECT_EQ(second->data()[0], 2);
  EXPECT_EQ(first->sequence(), 40u);
  EXPECT_EQ(second->sequence(), 41u);
  EXPECT_EQ(reader.next_sequence(), 42u);
  EXPECT_DOUBLE_EQ(first->frame_time(), 1'700'000'000.0);
  EXPECT_EQ(pool_.free_frames(), pool_.total_frames() - 2);  // the partial frame's buffer went back
}

TEST_F(PipeFrameReaderTest, FrameIsStampedWhenItsLastByteArrives) {
  const size_t frame_bytes = I420Size(16, 8);
  FrameReader reader(fds_[0], pool_, queue_, clock_);
  std::thread run([&] { reader.Run(); });
  Write(frame_bytes - 1, 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  clock_.Advance(3.0);  // ManualClock is not synchronised; the write below orders it for the reader
  Write(1, 5);
  auto frame = queue_.Pop(10);
  CloseWriteEnd();
  run.join();
  ASSERT_NE(frame, nullptr);
  EXPECT_DOUBLE_EQ(frame->frame_time(), 1'700'000'003.0);
  EXPECT_DOUBLE_EQ(reader.last_frame_monotonic(), clock_.Monotonic());
}

TEST_F(PipeFrameReaderTest, StopEndsAWaitingRun) {
  FrameReader reader(fds_[0], pool_, queue_, clock_);
  FrameReader::Result result;
  std::thread run([&] { result = reader.Run(); });
  Write(10, 1);  // part of a frame, then silence
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  reader.Stop();
  run.join();
  EXPECT_EQ(result.reason, FrameReader::EndReason::kStopped);
  EXPECT_EQ(result.frames, 0u);
  EXPECT_EQ(result.discarded_bytes, 10u);
  EXPECT_EQ(queue_.size(), 0u);
}

}  // namespace
}  // namespace corvette::video
