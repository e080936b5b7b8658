#include "video/camera_supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "../support/vtest_frames.h"
#include "../support/wait_for.h"

namespace corvette::video {
namespace {

using corvette::testing::WaitFor;
using namespace std::chrono_literals;

constexpr int kWidth = 160;
constexpr int kHeight = 120;

// An endless live-like source: real time, 10 fps.
FfmpegCommand LiveDetectCommand() {
  return {{"detect"},
          {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-f", "lavfi", "-i",
           "testsrc=size=160x120:rate=10", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}};
}

CameraSupervisorOptions Options(std::vector<FfmpegCommand> commands) {
  CameraSupervisorOptions options;
  options.camera = "test_cam";
  options.commands = std::move(commands);
  options.width = kWidth;
  options.height = kHeight;
  options.check_interval_seconds = 0.02;
  options.backoff.initial_seconds = 0.1;
  options.backoff.jitter = 0;
  options.stop_grace_seconds = 0.5;
  return options;
}

std::string ProcessName(pid_t pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

bool ProcessGone(pid_t pid) {
  return WaitFor([pid] { return ::kill(pid, 0) < 0 && errno == ESRCH; }, 5s);
}

TEST(FfmpegCommandTest, RolesNameIsSortedAndJoined) {
  FfmpegCommand command{{"rtmp", "clips", "detect"}, {"ffmpeg"}};
  EXPECT_EQ(command.roles_name(), "clips_detect_rtmp");
  EXPECT_TRUE(command.has_role("detect"));
  EXPECT_FALSE(command.has_role("record"));
}

TEST(CameraSupervisorTest, RejectsUnusableOptions) {
  EXPECT_THROW(CameraSupervisor(Options({})), std::invalid_argument);
  EXPECT_THROW(CameraSupervisor(Options({LiveDetectCommand(), LiveDetectCommand()})),
               std::invalid_argument);
  auto no_geometry = Options({LiveDetectCommand()});
  no_geometry.width = 0;
  EXPECT_THROW(CameraSupervisor{no_geometry}, std::invalid_argument);
}

TEST(CameraSupervisorTest, FramesFlowFromTheDetectFfmpeg) {
  CameraSupervisor supervisor(Options({LiveDetectCommand()}));
  EXPECT_EQ(supervisor.capture_pid(), 0);
  supervisor.Start();
  uint64_t previous_sequence = 0;
  for (int i = 0; i < 5; ++i) {
    auto frame = supervisor.frames().Pop(10);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(frame->width(), kWidth);
    EXPECT_EQ(frame->height(), kHeight);
    if (i > 0) {
      EXPECT_GT(frame->sequence(), previous_sequence);
    }
    previous_sequence = frame->sequence();
  }
  pid_t pid = supervisor.capture_pid();
  EXPECT_GT(pid, 0);
  EXPECT_EQ(ProcessName(pid), "ffmpeg");
  auto status = supervisor.status();
  EXPECT_EQ(status.state, CameraSupervisor::State::kRunning);
  EXPECT_GE(status.frames_read, 5u);
  EXPECT_EQ(status.restarts, 0u);
  EXPECT_GT(supervisor.camera_fps(), 0);

  supervisor.Stop();
  EXPECT_EQ(supervisor.capture_pid(), 0);
  EXPECT_EQ(supervisor.status().state, CameraSupervisor::State::kStopped);
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_TRUE(supervisor.frames().closed());
}

TEST(CameraSupervisorTest, KilledFfmpegIsRestartedAndFramesFlowAgain) {
  CameraSupervisor supervisor(Options({LiveDetectCommand()}));
  supervisor.Start();
  ASSERT_NE(supervisor.frames().Pop(10), nullptr);
  pid_t first_pid = supervisor.capture_pid();
  ASSERT_GT(first_pid, 0);

  ASSERT_EQ(::kill(first_pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] {
    pid_t pid = supervisor.capture_pid();
    return pid != 0 && pid != first_pid;
  }));
  EXPECT_EQ(ProcessName(supervisor.capture_pid()), "ffmpeg");
  EXPECT_EQ(supervisor.status().restarts, 1u);

  // Frames read after the restart, by the new process.
  uint64_t frames_before = supervisor.status().frames_read;
  while (supervisor.frames().TryPop()) {
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_NE(supervisor.frames().Pop(10), nullptr);
  }
  EXPECT_GT(supervisor.status().frames_read, frames_before);
  EXPECT_EQ(supervisor.status().state, CameraSupervisor::State::kRunning);
}

TEST(CameraSupervisorTest, FailingCommandIsRetriedWithGrowingDelaysWithoutSpinning) {
  // Time is manual: a restart can only happen when the test moves the clock past the backoff delay.
  util::ManualClock clock;
  auto options = Options({{{"detect"}, {"sh", "-c", "echo 'Connection refused' >&2; exit 1"}}});
  options.clock = &clock;
  options.backoff.initial_seconds = 1;
  CameraSupervisor supervisor(options);
  supervisor.Start();

  ASSERT_TRUE(
      WaitFor([&] { return supervisor.status().state == CameraSupervisor::State::kRestarting; }));
  EXPECT_DOUBLE_EQ(supervisor.status().last_restart_delay, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // many check intervals
  EXPECT_EQ(supervisor.status().restarts, 0u);                  // no spinning

  for (uint64_t restart = 1; restart <= 3; ++restart) {
    double delay = supervisor.status().last_restart_delay;
    clock.Advance(delay);
    ASSERT_TRUE(WaitFor([&] {
      auto status = supervisor.status();
      return status.restarts == restart && status.last_restart_delay == 2 * delay;
    })) << "restart "
        << restart;
  }
  EXPECT_DOUBLE_EQ(supervisor.status().last_restart_delay, 8);
  supervisor.Stop();
}

TEST(CameraSupervisorTest, MissingProgramIsRetriedToo) {
  util::ManualClock clock;
  auto options = Options({{{"detect"}, {"/nonexistent/ffmpeg"}}});
  options.clock = &clock;
  CameraSupervisor supervisor(options);
  supervisor.Start();
  ASSERT_TRUE(
      WaitFor([&] { return supervisor.status().state == CameraSupervisor::State::kRestarting; }));
  clock.Advance(supervisor.status().last_restart_delay);
  ASSERT_TRUE(WaitFor([&] { return supervisor.status().restarts == 1; }));
  EXPECT_EQ(supervisor.capture_pid(), 0);
}

TEST(CameraSupervisorTest, DetectProcessWithoutFramesIsRestartedAfterTheTimeout) {
  util::ManualClock clock;
  auto options = Options({{{"detect"}, {"sleep", "100"}}});
  options.clock = &clock;
  CameraSupervisor supervisor(options);
  supervisor.Start();
  ASSERT_TRUE(WaitFor([&] { return supervisor.capture_pid() != 0; }));
  pid_t first_pid = supervisor.capture_pid();

  clock.Advance(19);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(supervisor.capture_pid(), first_pid);  // not yet

  clock.Advance(2);  // 21 s without a frame
  ASSERT_TRUE(ProcessGone(first_pid));
  ASSERT_TRUE(
      WaitFor([&] { return supervisor.status().state == CameraSupervisor::State::kRestarting; }));
  clock.Advance(supervisor.status().last_restart_delay);
  ASSERT_TRUE(WaitFor([&] {
    pid_t pid = supervisor.capture_pid();
    return pid != 0 && pid != first_pid;
  }));
}

TEST(CameraSupervisorTest, OtherProcessesAreRestartedWheneverTheyExit) {
  auto options = Options({LiveDetectCommand(), {{"record"}, {"sh", "-c", "sleep 0.05"}}});
  CameraSupervisor supervisor(options);
  supervisor.Start();
  ASSERT_TRUE(WaitFor([&] { return supervisor.status().restarts >= 2; }));
  EXPECT_NE(supervisor.frames().Pop(10), nullptr);  // the detect process is not disturbed
}

TEST(CameraSupervisorTest, ACameraWithoutStreamDoesNotHoldUpAnother) {
  auto broken_options = Options({{{"detect"}, {"sh", "-c", "trap '' TERM; sleep 100"}}});
  broken_options.camera = "broken_cam";
  CameraSupervisor broken(broken_options);
  CameraSupervisor healthy(Options({LiveDetectCommand()}));
  broken.Start();
  healthy.Start();
  for (int i = 0; i < 5; ++i) {
    ASSERT_NE(healthy.frames().Pop(10), nullptr);
  }
  EXPECT_EQ(broken.status().frames_read, 0u);
  // Stopping both in parallel: the broken one's SIGKILL grace does not add to the healthy one's.
  broken.RequestStop();
  healthy.RequestStop();
  healthy.Stop();
  broken.Stop();
  EXPECT_EQ(healthy.capture_pid(), 0);
  EXPECT_EQ(broken.capture_pid(), 0);
}

TEST(CameraSupervisorTest, DeathIsLoggedWithTheLastStderrLinesUnderTheFfmpegLoggerName) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(20);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  static int run = 0;
  util::ManualClock clock;  // no restart during the test
  auto options = Options(
      {{{"rtmp", "clips"}, {"sh", "-c", "echo 'first' >&2; echo 'Broken pipe' >&2; exit 1"}}});
  options.camera = "log_cam" + std::to_string(++run);
  options.clock = &clock;
  {
    CameraSupervisor supervisor(options);
    supervisor.Start();
    EXPECT_TRUE(
        WaitFor([&] { return supervisor.status().state == CameraSupervisor::State::kRestarting; }));
  }
  spdlog::set_default_logger(previous);
  std::string log;
  for (const std::string& record : sink->last_formatted()) {
    log += record;
  }
  EXPECT_THAT(log, ::testing::HasSubstr("[watchdog." + options.camera +
                                        "] [error] ffmpeg (clips_rtmp) for " + options.camera +
                                        " exited unexpectedly (exit code 1)"));
  EXPECT_THAT(log,
              ::testing::HasSubstr("[ffmpeg." + options.camera + ".clips_rtmp] [error] first"));
  EXPECT_THAT(
      log, ::testing::HasSubstr("[ffmpeg." + options.camera + ".clips_rtmp] [error] Broken pipe"));
}

// vtest.avi's MS-MPEG4 cannot go into mp4 by stream copy: with roles [detect, clips] on its one
// input, the shared ffmpeg dies before its first frame. Detection must not die with it.
TEST(CameraSupervisorTest, AnOutputThatCannotBeWrittenIsSplitOffAndFramesFlow) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  char cache_template[] = "/tmp/corvette-split-XXXXXX";
  ASSERT_NE(::mkdtemp(cache_template), nullptr);
  const std::string cache = cache_template;
  FfmpegCommand shared;
  shared.roles = {"detect", "clips"};
  shared.input_argv = {"ffmpeg",  "-hide_banner", "-loglevel",
                       "warning", "-re",          "-stream_loop",
                       "-1",      "-i",           corvette::testing::kVtestPath};
  shared.outputs = {
      {"clips",
       {"-f", "segment", "-segment_time", "10", "-segment_format", "mp4", "-reset_timestamps", "1",
        "-strftime", "1", "-c", "copy", "-an", cache + "/split_cam-%Y%m%d%H%M%S.mp4"}},
      {"detect", {"-r", "5", "-s", "160x120", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}}};
  shared.argv = shared.input_argv;
  for (const auto& output : shared.outputs)
    shared.argv.insert(shared.argv.end(), output.second.begin(), output.second.end());
  auto options = Options({shared});
  options.camera = "split_cam";
  {
    CameraSupervisor supervisor(options);
    EXPECT_EQ(supervisor.status().roles.size(), 2u);
    supervisor.Start();
    for (int i = 0; i < 5; ++i)
      ASSERT_NE(supervisor.frames().Pop(20), nullptr) << "frame " << i;
    ASSERT_TRUE(WaitFor([&] {
      auto roles = supervisor.status().roles;
      return roles.size() == 2 && roles[0].state == "failed" && roles[1].state == "running";
    }));
    auto roles = supervisor.status().roles;
    EXPECT_EQ(roles[0].role, "clips");
    EXPECT_THAT(roles[0].error, ::testing::HasSubstr("output file #0"));
    EXPECT_EQ(roles[1].role, "detect");
    EXPECT_EQ(roles[1].error, "");
    // The clips part keeps being retried, on its own.
    const uint64_t restarts = supervisor.status().restarts;
    EXPECT_TRUE(WaitFor([&] { return supervisor.status().restarts > restarts; }));
    EXPECT_GT(supervisor.capture_pid(), 0);
  }
  spdlog::set_default_logger(previous);
  std::filesystem::remove_all(cache);
  int explanations = 0;
  for (const std::string& record : sink->last_formatted()) {
    explanations += record.find("its clips output cannot be written") != std::string::npos;
    if (record.find("its clips output cannot be written") != std::string::npos) {
      EXPECT_THAT(record, ::testing::HasSubstr("msmpeg4v3"));
      EXPECT_THAT(record, ::testing::HasSubstr("output_args.clips"));
    }
  }
  EXPECT_EQ(explanations, 1) << "said once, clearly";
}

TEST(CameraSupervisorTest, StopKillsProcessesThatIgnoreSigterm) {
  auto options = Options({{{"detect"}, {"sh", "-c", "trap '' TERM; sleep 100"}}});
  options.stop_grace_seconds = 0.2;
  CameraSupervisor supervisor(options);
  supervisor.Start();
  ASSERT_TRUE(WaitFor([&] { return supervisor.capture_pid() != 0; }));
  pid_t pid = supervisor.capture_pid();
  supervisor.Stop();
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_EQ(supervisor.capture_pid(), 0);
}

TEST(CameraSupervisorTest, StopUnblocksAWaitingConsumer) {
  auto options = Options({{{"detect"}, {"sleep", "100"}}});
  CameraSupervisor supervisor(options);
  supervisor.Start();
  std::shared_ptr<const Frame> frame = std::make_shared<const Frame>(2, 2);
  std::thread consumer([&] { frame = supervisor.frames().Pop(60); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  supervisor.Stop();
  consumer.join();
  EXPECT_EQ(frame, nullptr);
}

}  // namespace
}  // namespace corvette::video
