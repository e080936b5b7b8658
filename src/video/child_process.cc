#include "video/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "video/named_logger.h"

extern char** environ;

namespace corvette::video {
namespace {

constexpr size_t kMaxStderrLineBytes = 2000;

std::system_error SystemError(int err, const std::string& what) {
  return std::system_error(err, std::generic_category(), what);
}

void CloseFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

ExitStatus FromWaitStatus(int status) {
  ExitStatus result;
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.signal = WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    result.code = WEXITSTATUS(status);
  }
  return result;
}

size_t PipeMaxSize() {
  std::ifstream in("/proc/sys/fs/pipe-max-size");
  size_t value = 0;
  in >> value;
  return value;
}

// Sets the pipe's capacity to `bytes`, or to the system limit when that is lower; returns the
// capacity.
size_t ResizePipe(int fd, size_t bytes) {
  if (bytes > 0 && ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(bytes)) < 0) {
    size_t limit = PipeMaxSize();
    if (limit > 0 && limit < bytes) {
      ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(limit));
    }
  }
  int size = ::fcntl(fd, F_GETPIPE_SZ);
  return size > 0 ? static_cast<size_t>(size) : 0;
}

// RAII for the posix_spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::string ExitStatus::ToString() const {
  if (signaled) {
    return fmt::format("signal {} ({})", signal, ::strsignal(signal));
  }
  return fmt::format("exit code {}", code);
}

ChildProcess::ChildProcess(Options options) : options_(std::move(options)) {
  if (options_.argv.empty()) {
    throw std::invalid_argument("ChildProcess: empty argv");
  }
  int stderr_pipe[2] = {-1, -1};
  int stdout_pipe[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&stderr_pipe[0], &stderr_pipe[1], &stdout_pipe[0], &stdout_pipe[1]}) {
      CloseFd(*fd);
    }
  };
  if (::pipe2(stderr_pipe, O_CLOEXEC) < 0) {
    throw SystemError(errno, "pipe for child stderr");
  }
  if (options_.capture_stdout && ::pipe2(stdout_pipe, O_CLOEXEC) < 0) {
    int err = errno;
    close_all();
    throw SystemError(err, "pipe for child stdout");
  }
  if (options_.capture_stdout) {
    stdout_pipe_bytes_ = ResizePipe(stdout_pipe[0], options_.stdout_pipe_bytes);
  }

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  if (options_.capture_stdout) {
    posix_spawn_file_actions_adddup2(&setup.actions, stdout_pipe[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&setup.actions, stderr_pipe[1], 2);
  // Nothing else of ours (sockets of the HTTP server, the database, other children's pipes) reaches
  // the child, whether or not its opener asked for close-on-exec.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);

  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  sigset_t all_signals;
  sigfillset(&all_signals);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&setup.attr, &empty_mask);
  posix_spawnattr_setsigdefault(&setup.attr, &all_signals);

  std::vector<char*> argv;
  argv.reserve(options_.argv.size() + 1);
  for (const std::string& arg : options_.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);

  pid_t pid = -1;
  int err = ::posix_spawnp(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), environ);
  if (err != 0) {
    close_all();
    throw SystemError(err, fmt::format("cannot start {}", options_.argv[0]));
  }
  pid_ = pid;
  CloseFd(stderr_pipe[1]);
  CloseFd(stdout_pipe[1]);
  stderr_fd_ = stderr_pipe[0];
  stdout_fd_ = stdout_pipe[0];

  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  stderr_stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  stderr_thread_ = std::thread([this] { ReadStderr(); });
}

ChildProcess::~ChildProcess() {
  Signal(SIGKILL);
  Wait();
  if (stderr_stop_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stderr_stop_fd_, &one, sizeof(one));
  }
  if (stderr_thread_.joinable()) {
    stderr_thread_.join();
  }
  CloseFd(stderr_fd_);
  CloseFd(stderr_stop_fd_);
  CloseFd(stdout_fd_);
  CloseFd(pidfd_);
}

std::optional<ExitStatus> ChildProcess::PollLocked() {
  if (exit_status_) {
    return exit_status_;
  }
  // Look without reaping first: while the child is a zombie its pid (= the group id) cannot be
  // reused, so killing what is left of its group cannot hit an unrelated process.
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    if (errno == ECHILD) {
      // Reaped behind our back (SIGCHLD ignored by the process): it is gone, its status is unknown.
      exit_status_ = ExitStatus{false, -1, 0};
    }
    return exit_status_;
  }
  if (info.si_pid != pid_) {
    return std::nullopt;
  }
  ::kill(-pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_) {
    exit_status_ = FromWaitStatus(status);
  }
  return exit_status_;
}

std::optional<ExitStatus> ChildProcess::Poll() {
  std::lock_guard lock(wait_mutex_);
  return PollLocked();
}

std::optional<ExitStatus> ChildProcess::WaitFor(double timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  for (;;) {
    if (auto status = Poll()) {
      return status;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return std::nullopt;
    }
    auto remaining_ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    if (pidfd_ >= 0) {
      pollfd fd{pidfd_, POLLIN, 0};
      ::poll(&fd, 1, static_cast<int>(remaining_ms));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<long>(remaining_ms, 10)));
    }
  }
}

ExitStatus ChildProcess::Wait() {
  for (;;) {
    if (auto status = WaitFor(3600)) {
      return *status;
    }
  }
}

void ChildProcess::Signal(int signal) {
  std::lock_guard lock(wait_mutex_);
  if (!exit_status_) {
    ::kill(-pid_, signal);
  }
}

ExitStatus ChildProcess::Terminate(double grace_seconds) {
  Signal(SIGTERM);
  if (auto status = WaitFor(grace_seconds)) {
    return *status;
  }
  Signal(SIGKILL);
  return Wait();
}

void ChildProcess::ReadStderr() {
  char buffer[4096];
  std::string line;
  pollfd fds[2] = {{stderr_fd_, POLLIN, 0}, {stderr_stop_fd_, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, stderr_stop_fd_ >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (fds[1].revents != 0) {
      break;
    }
    ssize_t n = ::read(stderr_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    for (ssize_t i = 0; i < n; ++i) {
      char c = buffer[i];
      if (c == '\n' || c == '\r') {
        if (!line.empty()) {
          AddStderrLine(std::move(line));
          line.clear();
        }
      } else if (line.size() < kMaxStderrLineBytes) {
        line.push_back(c);
      }
    }
  }
  if (!line.empty()) {
    AddStderrLine(std::move(line));
  }
  std::lock_guard lock(stderr_mutex_);
  stderr_closed_ = true;
  stderr_closed_cv_.notify_all();
}

void ChildProcess::AddStderrLine(std::string line) {
  std::lock_guard lock(stderr_mutex_);
  stderr_lines_.push_back(std::move(line));
  while (stderr_lines_.size() > options_.stderr_max_lines) {
    stderr_lines_.pop_front();
  }
}

std::vector<std::string> ChildProcess::StderrLines() const {
  std::lock_guard lock(stderr_mutex_);
  return {stderr_lines_.begin(), stderr_lines_.end()};
}

bool ChildProcess::WaitStderrClosed(double timeout_seconds) {
  std::unique_lock lock(stderr_mutex_);
  return stderr_closed_cv_.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                                    [this] { return stderr_closed_; });
}

void ChildProcess::LogStderr() const {
  auto logger = NamedLogger(options_.log_name);
  for (const std::string& line : StderrLines()) {
    logger->error("{}", line);
  }
}

}  // namespace corvette::video
