#include "video/child_process.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "../support/wait_for.h"

namespace corvette::video {
namespace {

using corvette::testing::WaitFor;

ChildProcess::Options Shell(const std::string& script, bool capture_stdout = false) {
  ChildProcess::Options options;
  options.argv = {"sh", "-c", script};
  options.capture_stdout = capture_stdout;
  return options;
}

// Everything the child writes to stdout until end of file.
std::string ReadAll(int fd) {
  std::string out;
  char buffer[256];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) {
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// Gone: no such process, or a zombie waiting for whoever inherited it.
bool ProcessGone(pid_t pid) {
  if (::kill(pid, 0) < 0 && errno == ESRCH) {
    return true;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = content.rfind(')');
  return close_paren != std::string::npos && content.size() > close_paren + 2 &&
         content[close_paren + 2] == 'Z';
}

// Started with this variable set, this test binary is not a test run but the parent of
// ChildDiesWhenItsParentIsKilled: it starts `sleep 60` as a ChildProcess, prints the child's pid
// and waits to be killed.
constexpr const char* kParentDeathHelperVariable = "CORVETTE_PARENT_DEATH_HELPER";
[[maybe_unused]] const bool kIsParentDeathHelper = [] {
  if (std::getenv(kParentDeathHelperVariable) == nullptr) {
    return false;
  }
  ChildProcess child(Shell("sleep 60"));
  std::printf("%d\n", static_cast<int>(child.pid()));
  std::fflush(stdout);
  for (;;) {
    ::pause();
  }
}();

TEST(ChildProcessTest, PidIsTheChildsOwnAndLeadsItsSessionAndGroup) {
  ChildProcess child(Shell("echo $$; sleep 30", true));
  char buffer[32] = {};
  ASSERT_GT(::read(child.stdout_fd(), buffer, sizeof(buffer) - 1), 0);
  EXPECT_EQ(std::stoi(buffer), child.pid());
  EXPECT_EQ(::getpgid(child.pid()), child.pid());
  EXPECT_EQ(::getsid(child.pid()), child.pid());
  EXPECT_TRUE(child.Running());
}

TEST(ChildProcessTest, ReportsExitCode) {
  ChildProcess child(Shell("exit 3"));
  ExitStatus status = child.Wait();
  EXPECT_FALSE(status.signaled);
  EXPECT_EQ(status.code, 3);
  EXPECT_FALSE(child.Running());
  EXPECT_EQ(status.ToString(), "exit code 3");
}

TEST(ChildProcessTest, StderrRingKeepsTheLast100Lines) {
  ChildProcess child(Shell("i=1; while [ $i -le 150 ]; do echo \"line $i\" >&2; i=$((i+1)); done"));
  child.Wait();
  ASSERT_TRUE(child.WaitStderrClosed(5));
  auto lines = child.StderrLines();
  ASSERT_EQ(lines.size(), 100u);
  EXPECT_EQ(lines.front(), "line 51");
  EXPECT_EQ(lines.back(), "line 150");
}

TEST(ChildProcessTest, CarriageReturnsEndLinesAndLastUnterminatedLineIsKept) {
  ChildProcess child(Shell("printf 'frame=1\\rframe=2\\rerror: gone' >&2"));
  child.Wait();
  ASSERT_TRUE(child.WaitStderrClosed(5));
  EXPECT_EQ(child.StderrLines(), (std::vector<std::string>{"frame=1", "frame=2", "error: gone"}));
}

TEST(ChildProcessTest, TerminateKillsTheWholeGroupEvenWhenSigtermIsIgnored) {
  // The shell and its background child both ignore SIGTERM, so only the SIGKILL after the grace
  // ends them.
  ChildProcess child(Shell("trap '' TERM; sleep 100 & echo $!; wait", true));
  char buffer[32] = {};
  ASSERT_GT(::read(child.stdout_fd(), buffer, sizeof(buffer) - 1), 0);
  pid_t grandchild = std::stoi(buffer);
  ASSERT_FALSE(ProcessGone(grandchild));
  ExitStatus status = child.Terminate(0.2);
  EXPECT_TRUE(status.signaled);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return ProcessGone(grandchild); }));
}

TEST(ChildProcessTest, TerminateEndsAGrandchildWithSigterm) {
  ChildProcess child(Shell("sleep 100 & echo $!; wait", true));
  char buffer[32] = {};
  ASSERT_GT(::read(child.stdout_fd(), buffer, sizeof(buffer) - 1), 0);
  pid_t grandchild = std::stoi(buffer);
  ExitStatus status = child.Terminate(5);
  EXPECT_TRUE(status.signaled);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_TRUE(WaitFor([&] { return ProcessGone(grandchild); }));
}

TEST(ChildProcessTest, LeftoversOfTheGroupDieWhenTheChildIsReaped) {
  // The shell exits at once, leaving its background child in the group.
  ChildProcess child(Shell("sleep 100 & echo $!", true));
  char buffer[32] = {};
  ASSERT_GT(::read(child.stdout_fd(), buffer, sizeof(buffer) - 1), 0);
  pid_t grandchild = std::stoi(buffer);
  child.Wait();
  EXPECT_TRUE(WaitFor([&] { return ProcessGone(grandchild); }));
}

TEST(ChildProcessTest, ChildGetsDefaultSignalsWhateverTheParentBlocks) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &block, &old);
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  ChildProcess child(Shell("grep -E '^(SigBlk|SigIgn)' /proc/self/status; sleep 30", true));
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::signal(SIGPIPE, old_pipe);

  std::string status;
  char buffer[256];
  while (status.find("SigIgn") == std::string::npos || status.back() != '\n') {
    ssize_t n = ::read(child.stdout_fd(), buffer, sizeof(buffer));
    ASSERT_GT(n, 0);
    status.append(buffer, static_cast<size_t>(n));
  }
  // Bits 0-30 are signals 1-31. (glibc's posix_spawn leaves its own internal signals 32 and 33
  // ignored; glibc in the new program installs its handlers for them.)
  auto mask_of = [&](const std::string& field) {
    auto at = status.find(field + ":\t");
    return at == std::string::npos
               ? ~0ull
               : std::stoull(status.substr(at + field.size() + 2, 16), nullptr, 16);
  };
  EXPECT_EQ(mask_of("SigBlk") & 0x7fffffffull, 0u) << status;
  EXPECT_EQ(mask_of("SigIgn") & 0x7fffffffull, 0u) << status;
  ExitStatus exit = child.Terminate(5);
  EXPECT_TRUE(exit.signaled);
  EXPECT_EQ(exit.signal, SIGTERM);
}

TEST(ChildProcessTest, ChildInheritsNoOtherFileDescriptors) {
  int leaky = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);
  ChildProcess child(Shell("ls /proc/$$/fd", true));
  std::string listing = ReadAll(child.stdout_fd());
  child.Wait();
  ::close(leaky);
  std::istringstream in(listing);
  std::vector<std::string> fds{std::istream_iterator<std::string>(in), {}};
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"})) << listing;
}

TEST(ChildProcessTest, StdinIsDevNull) {
  ChildProcess child(Shell("cat; echo done", true));
  EXPECT_EQ(ReadAll(child.stdout_fd()), "done\n");
  EXPECT_EQ(child.Wait().code, 0);
}

TEST(ChildProcessTest, MissingProgramThrows) {
  ChildProcess::Options options;
  options.argv = {"/nonexistent/ffmpeg", "-version"};
  EXPECT_THROW(ChildProcess child(options), std::system_error);
}

TEST(ChildProcessTest, StdoutPipeGetsTheRequestedSizeUpToTheSystemLimit) {
  ChildProcess::Options options = Shell("true", true);
  options.stdout_pipe_bytes = 512 * 1024;
  ChildProcess child(options);
  size_t limit = 0;
  std::ifstream("/proc/sys/fs/pipe-max-size") >> limit;
  EXPECT_GE(child.stdout_pipe_bytes(), std::min<size_t>(options.stdout_pipe_bytes, limit));
  child.Wait();
}

TEST(ChildProcessTest, ChildDiesWhenItsParentIsKilled) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::string variable = std::string(kParentDeathHelperVariable) + "=1";
  char* argv[] = {const_cast<char*>("child_process_parent"), nullptr};
  char* envp[] = {variable.data(), nullptr};
  pid_t parent = -1;
  ASSERT_EQ(::posix_spawn(&parent, "/proc/self/exe", &actions, nullptr, argv, envp), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') {
    line.push_back(c);
  }
  ::close(out[0]);
  ASSERT_FALSE(line.empty()) << "the helper printed no pid";
  pid_t grandchild = std::stoi(line);
  ASSERT_FALSE(ProcessGone(grandchild));

  ::kill(parent, SIGKILL);
  ASSERT_EQ(::waitpid(parent, nullptr, 0), parent);
  EXPECT_TRUE(WaitFor([&] { return ProcessGone(grandchild); }));
}

TEST(ChildProcessTest, ChildOutlivesTheThreadThatStartedIt) {
  std::unique_ptr<ChildProcess> child;
  std::thread([&] { child = std::make_unique<ChildProcess>(Shell("sleep 30")); }).join();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(child->Running());
  EXPECT_FALSE(ProcessGone(child->pid()));
}

TEST(ChildProcessTest, DestructorLeavesNoZombie) {
  pid_t pid;
  {
    ChildProcess child(Shell("sleep 100"));
    pid = child.pid();
  }
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ChildProcessTest, LogStderrWritesEachLineAtErrorToTheNamedLogger) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));

  ChildProcess::Options options = Shell("echo 'rtsp: connection refused' >&2; exit 1");
  // A logger takes the default logger's sinks when first used, so each run needs a new name.
  static int run = 0;
  std::string camera = "child_test_cam" + std::to_string(++run);
  options.log_name = "ffmpeg." + camera + ".detect";
  ChildProcess child(options);
  child.Wait();
  ASSERT_TRUE(child.WaitStderrClosed(5));
  child.LogStderr();
  spdlog::set_default_logger(previous);

  auto records = sink->last_formatted();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0], ::testing::HasSubstr("[ffmpeg." + camera +
                                               ".detect] [error] rtsp: connection refused"));
}

}  // namespace
}  // namespace corvette::video
