#include "video/rtmp_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../support/vtest_frames.h"
#include "../support/wait_for.h"
#include "config/config.h"
#include "config/ffmpeg_command.h"
#include "video/camera_supervisor.h"
#include "video/child_process.h"

extern char** environ;

namespace corvette::video {
namespace {

using corvette::testing::WaitFor;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr int kWidth = corvette::testing::kVtestWidth;
constexpr int kHeight = corvette::testing::kVtestHeight;

// A TCP socket listening on 0.0.0.0 at a port the kernel chose; closed at destruction.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(fd_, 4) != 0)
      throw std::runtime_error("cannot listen");
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int FreePort() {
  Listener listener;
  return listener.port();
}

// Runs a command to its end (at most `timeout_seconds`) and returns its stdout.
std::string RunForOutput(std::vector<std::string> argv, double timeout_seconds) {
  ChildProcess::Options options;
  options.argv = std::move(argv);
  options.capture_stdout = true;
  ChildProcess child(options);
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::read(child.stdout_fd(), buffer, sizeof(buffer));
    if (n <= 0)
      break;
    output.append(buffer, static_cast<size_t>(n));
  }
  if (!child.WaitFor(std::max(0.0, timeout_seconds)))
    child.Terminate(0.5);
  return output;
}

// "h264,768,576" when the stream at `url` plays, else what ffprobe printed (usually nothing).
std::string Probe(const std::string& url) {
  std::string out =
      RunForOutput({"ffprobe", "-v", "error", "-rw_timeout", "5000000", "-select_streams", "v:0",
                    "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url},
                   15);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

bool ProbeUntil(const std::string& url, const std::string& expected, double timeout_seconds) {
  return WaitFor([&] { return Probe(url) == expected; },
                 std::chrono::duration<double>(timeout_seconds));
}

class RtmpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                        ("corvette-rtmp-test-" + std::to_string(::getpid())));
    std::filesystem::create_directories(*folder_);
    // A short H.264 source (a camera's stream) from vtest.avi; cameras loop it in real time.
    std::string source = (*folder_ / "camera.mp4").string();
    RunForOutput({"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i",
                  corvette::testing::kVtestPath, "-t", "6", "-c:v", "libx264", "-preset",
                  "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", source},
                 60);
    ASSERT_TRUE(std::filesystem::exists(source));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*folder_, ec);
    delete folder_;
  }

  static std::string Source() { return (*folder_ / "camera.mp4").string(); }

  RtmpServerOptions ServerOptions(int port) {
    RtmpServerOptions options;
    options.port = port;
    options.folder = (*folder_ / "rtmp").string();
    options.check_interval_seconds = 0.05;
    options.backoff.initial_seconds = 0.2;
    options.backoff.jitter = 0;
    return options;
  }

  // The camera `cam` with roles [detect, rtmp], looping the H.264 source, detect at 5 fps.
  config::Config CameraConfig(int rtmp_port) {
    std::string yaml = "rtmp: {port: " + std::to_string(rtmp_port) +
                       "}\n"
                       "cameras:\n"
                       "  cam:\n"
                       "    ffmpeg:\n"
                       "      input_args: -re -stream_loop -1\n"
                       "      inputs:\n"
                       "        - path: " +
                       Source() +
                       "\n"
                       "          roles: [detect, rtmp]\n"
                       "    width: 768\n"
                       "    height: 576\n"
                       "    fps: 5\n";
    config::LoadResult result = config::LoadConfigText(yaml, config::Format::kYaml, {});
    EXPECT_THAT(result.errors, ::testing::IsEmpty());
    return *result.config;
  }

  CameraSupervisorOptions Camera(const config::Config& config,
                                 const config::FfmpegCommandOptions& ffmpeg_options) {
    CameraSupervisorOptions options;
    options.camera = "cam";
    for (const config::FfmpegCommand& command :
         config::FfmpegCommandsFor(config, config.cameras[0], ffmpeg_options)) {
      FfmpegCommand video_command;
      for (config::Role role : command.roles)
        video_command.roles.emplace_back(config::RoleName(role));
      video_command.argv = command.argv;
      options.commands.push_back(video_command);
    }
    options.width = kWidth;
    options.height = kHeight;
    options.check_interval_seconds = 0.05;
    options.backoff.initial_seconds = 0.2;
    options.stop_grace_seconds = 0.5;
    return options;
  }

  static std::filesystem::path* folder_;
};

std::filesystem::path* RtmpServerTest::folder_ = nullptr;

TEST(RtmpNginxConfigTest, LivePublishingFromLocalhostOnlyPlayingForAnyone) {
  std::string conf = RtmpNginxConfig({19351, "/x/rtmp", "/m/ngx_rtmp_module.so", "nobody nogroup"});
  EXPECT_THAT(conf, HasSubstr("load_module /m/ngx_rtmp_module.so;"));
  EXPECT_THAT(conf, HasSubstr("daemon off;"));
  EXPECT_THAT(conf, HasSubstr("worker_processes 1;"));
  EXPECT_THAT(conf, HasSubstr("user nobody nogroup;"));
  EXPECT_THAT(conf, HasSubstr("pid /x/rtmp/nginx.pid;"));
  EXPECT_THAT(conf, HasSubstr("listen 19351;"));
  EXPECT_THAT(conf, HasSubstr("allow publish 127.0.0.1;\n    deny publish all;\n"
                              "    allow play all;"));
  EXPECT_THAT(conf, HasSubstr("application live {\n      live on;\n      record off;"));
  EXPECT_THAT(RtmpNginxConfig({1935, "/x", "/m.so", ""}), Not(HasSubstr("user ")));
}

TEST(RtmpPortTest, TakenPortIsReportedFreePortIsNot) {
  Listener listener;
  EXPECT_EQ(CheckPortFree(listener.port()),
            "port " + std::to_string(listener.port()) + " is in use");
  EXPECT_TRUE(AcceptsConnections(listener.port()));
  int port = listener.port();
  listener.Close();
  EXPECT_EQ(CheckPortFree(port), std::nullopt);
  EXPECT_FALSE(AcceptsConnections(port));
}

TEST_F(RtmpServerTest, MissingNginxOrModuleIsOneClearError) {
  RtmpServerOptions options = ServerOptions(FreePort());
  options.nginx = "/nonexistent/nginx";
  RtmpServer no_nginx(options);
  std::optional<std::string> error = no_nginx.Start();
  ASSERT_TRUE(error);
  EXPECT_THAT(*error, HasSubstr("RTMP restream disabled: nginx with the RTMP module is not "
                                "installed"));
  EXPECT_FALSE(no_nginx.status().running);

  options = ServerOptions(FreePort());
  options.module_path = "/nonexistent/ngx_rtmp_module.so";
  RtmpServer no_module(options);
  error = no_module.Start();
  ASSERT_TRUE(error);
  EXPECT_THAT(*error, HasSubstr("not installed (no /nonexistent/ngx_rtmp_module.so)"));
}

TEST_F(RtmpServerTest, PublishedStreamPlays) {
  int port = FreePort();
  RtmpServer server(ServerOptions(port));
  ASSERT_EQ(server.Start(), std::nullopt);
  EXPECT_TRUE(server.status().running);
  EXPECT_GT(server.status().pid, 0);
  EXPECT_TRUE(std::filesystem::exists(server.config_path()));

  ChildProcess::Options publisher;
  publisher.argv = {"ffmpeg",    "-hide_banner", "-loglevel",
                    "error",     "-re",          "-stream_loop",
                    "-1",        "-i",           corvette::testing::kVtestPath,
                    "-c:v",      "libx264",      "-preset",
                    "ultrafast", "-g",           "10",
                    "-f",        "flv",          server.LocalUrl("pushed")};
  ChildProcess push(publisher);
  EXPECT_TRUE(ProbeUntil(server.LocalUrl("pushed"), "h264,768,576", 30));
  push.Terminate(1);
  server.Stop();
  EXPECT_FALSE(server.status().running);
  EXPECT_FALSE(AcceptsConnections(port));
}

// An earlier corvette that died (SIGKILL) left its nginx running on the port: the next start stops
// it instead of giving up on the port.
TEST_F(RtmpServerTest, ServerLeftByAnEarlierRunIsReplaced) {
  int port = FreePort();
  std::string config_path;
  {
    RtmpServer earlier(ServerOptions(port));
    ASSERT_EQ(earlier.Start(), std::nullopt);
    config_path = earlier.config_path();
  }
  ChildProcess::Options leftover_options;
  std::string folder = ServerOptions(port).folder;
  leftover_options.argv = {"/usr/sbin/nginx", "-e", "stderr",   "-p",
                           folder + "/",      "-c", config_path};
  ChildProcess leftover(leftover_options);
  ASSERT_TRUE(WaitFor([&] { return AcceptsConnections(port); }, 10s));

  RtmpServer server(ServerOptions(port));
  EXPECT_EQ(server.Start(), std::nullopt);
  EXPECT_TRUE(leftover.WaitFor(5).has_value());
  EXPECT_NE(server.status().pid, leftover.pid());
  EXPECT_TRUE(AcceptsConnections(port));
}

// Processes of group `pgid` that are running (not zombies waiting for init to reap them).
int LiveGroupMembers(pid_t pgid) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line))
      continue;
    char state = 0;
    long ppid = 0, pgrp = 0;
    size_t close = line.rfind(')');
    if (close != std::string::npos &&
        std::sscanf(line.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 &&
        pgrp == pgid && state != 'Z')
      ++count;
  }
  return count;
}

// What a SIGKILLed corvette leaves: its nginx master got SIGKILL with it (PR_SET_PDEATHSIG), and
// the worker, which nginx starts without that, still holds the port in the master's process group.
TEST_F(RtmpServerTest, WorkerLeftByAKilledMasterIsStoppedAtTheNextStart) {
  int port = FreePort();
  std::string config_path;
  {
    RtmpServer earlier(ServerOptions(port));
    ASSERT_EQ(earlier.Start(), std::nullopt);
    config_path = earlier.config_path();
  }
  std::string folder = ServerOptions(port).folder;
  std::string prefix = folder + "/";
  std::vector<char*> argv = {const_cast<char*>("/usr/sbin/nginx"),
                             const_cast<char*>("-e"),
                             const_cast<char*>("stderr"),
                             const_cast<char*>("-p"),
                             prefix.data(),
                             const_cast<char*>("-c"),
                             config_path.data(),
                             nullptr};
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t master = -1;
  ASSERT_EQ(::posix_spawn(&master, argv[0], nullptr, &attr, argv.data(), environ), 0);
  posix_spawnattr_destroy(&attr);
  // The master listens before it forks its worker: wait for the worker too, or killing the
  // master leaves nothing holding the port.
  ASSERT_TRUE(WaitFor([&] { return AcceptsConnections(port); }, 10s));
  ASSERT_TRUE(WaitFor([&] { return LiveGroupMembers(master) >= 2; }, 10s));
  ::kill(master, SIGKILL);
  ASSERT_EQ(::waitpid(master, nullptr, 0), master);
  // The worker still accepts connections without its master.
  ASSERT_TRUE(AcceptsConnections(port));

  RtmpServer server(ServerOptions(port));
  EXPECT_EQ(server.Start(), std::nullopt);
  EXPECT_NE(server.status().pid, master);
  EXPECT_EQ(LiveGroupMembers(master), 0) << "a process of the old group is still running";
  EXPECT_TRUE(AcceptsConnections(port));
}

TEST_F(RtmpServerTest, APortTakenBySomethingElseIsNotTouched) {
  Listener taken;
  // A pid file naming a process that is not our nginx (this test) must not get it killed.
  RtmpServerOptions options = ServerOptions(taken.port());
  std::filesystem::create_directories(options.folder);
  std::ofstream(options.folder + "/nginx.pid") << ::getpid() << "\n";
  RtmpServer server(options);
  EXPECT_TRUE(server.Start().has_value());
  std::filesystem::remove(options.folder + "/nginx.pid");
}

// The camera's ffmpeg keeps delivering frames, without a restart, while the server is absent, when
// it comes, when it is killed and when it is back; the restream plays whenever the server runs.
TEST_F(RtmpServerTest, CameraRestreamsByStreamCopyAndDetectionOutlivesTheServer) {
  int port = FreePort();
  config::Config config = CameraConfig(port);
  CameraSupervisor camera(Camera(config, {}));
  ASSERT_EQ(camera.options().commands.size(), 1u);
  ASSERT_THAT(config::JoinCommand(camera.options().commands[0].argv), HasSubstr("-c copy"));
  camera.Start();

  // No server yet: frames flow all the same.
  ASSERT_NE(camera.frames().Pop(20), nullptr);
  pid_t capture_pid = camera.capture_pid();
  ASSERT_GT(capture_pid, 0);

  RtmpServer server(ServerOptions(port));
  ASSERT_EQ(server.Start(), std::nullopt);
  const std::string url = server.LocalUrl("cam");
  EXPECT_TRUE(ProbeUntil(url, "h264,768,576", 30));

  pid_t nginx_pid = server.status().pid;
  ASSERT_EQ(::kill(nginx_pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        RtmpServer::Status status = server.status();
        return status.running && status.pid != nginx_pid && status.restarts >= 1;
      },
      20s));
  uint64_t frames_at_restart = camera.status().frames_read;
  EXPECT_TRUE(ProbeUntil(url, "h264,768,576", 30));

  // Detection never noticed: the same ffmpeg, frames still coming.
  EXPECT_TRUE(WaitFor([&] { return camera.status().frames_read > frames_at_restart + 5; }, 20s));
  EXPECT_EQ(camera.capture_pid(), capture_pid);
  EXPECT_EQ(camera.status().restarts, 0u);
  camera.Stop();
  server.Stop();
}

// Why the rtmp output goes through the tee: with Frigate 0.8's plain `-c copy -f flv <url>`, the
// server's death kills the camera's whole ffmpeg, detect output included.
TEST_F(RtmpServerTest, PlainRtmpOutputDiesWithTheServer) {
  int port = FreePort();
  RtmpServer server(ServerOptions(port));
  ASSERT_EQ(server.Start(), std::nullopt);
  config::FfmpegCommandOptions plain;
  plain.resilient_rtmp = false;
  CameraSupervisor camera(Camera(CameraConfig(port), plain));
  ASSERT_THAT(config::JoinCommand(camera.options().commands[0].argv),
              HasSubstr("-c copy -f flv rtmp://"));
  camera.Start();
  ASSERT_NE(camera.frames().Pop(20), nullptr);
  ASSERT_TRUE(ProbeUntil(server.LocalUrl("cam"), "h264,768,576", 30));
  pid_t capture_pid = camera.capture_pid();

  ASSERT_EQ(::kill(server.status().pid, SIGKILL), 0);
  EXPECT_TRUE(WaitFor([&] { return camera.status().restarts >= 1; }, 20s));
  EXPECT_NE(camera.capture_pid(), capture_pid);
  camera.Stop();
  server.Stop();
}

TEST_F(RtmpServerTest, TakenPortDisablesTheRestreamButNotTheCamera) {
  Listener taken;
  RtmpServer server(ServerOptions(taken.port()));
  std::optional<std::string> error = server.Start();
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "RTMP restream disabled: port " + std::to_string(taken.port()) + " is in use");
  EXPECT_FALSE(server.status().running);

  // The app then leaves the rtmp output out.
  config::FfmpegCommandOptions without_rtmp;
  without_rtmp.include_rtmp = false;
  config::Config config = CameraConfig(taken.port());
  CameraSupervisor camera(Camera(config, without_rtmp));
  ASSERT_EQ(camera.options().commands.size(), 1u);
  EXPECT_THAT(config::JoinCommand(camera.options().commands[0].argv), Not(HasSubstr("rtmp://")));
  camera.Start();
  for (int i = 0; i < 3; ++i) {
    auto frame = camera.frames().Pop(20);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(frame->width(), kWidth);
  }
  camera.Stop();
}

}  // namespace
}  // namespace corvette::video
