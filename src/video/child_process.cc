#include "video/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <stdexcept>
#include <system_error>

#include "util/named_logger.h"
#include "util/strings.h"

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

// The program a child will run: argv[0] itself when it names a path, else its first match in PATH.
// Resolved in the parent, so that the forked child only makes async-signal-safe calls.
std::string ResolveProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) < 0) {
      throw SystemError(errno, fmt::format("cannot start {}", name));
    }
    return name;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::string_view dir : util::Split(dirs, ":")) {
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  throw SystemError(ENOENT, fmt::format("cannot start {}", name));
}

// What the forked child needs, prepared by the parent.
struct SpawnRequest {
  std::string program;
  std::vector<char*> argv;  // null-terminated, pointing into the caller's strings
  int stdout_write = -1;    // -1: stdout is /dev/null
  int stderr_write = -1;
  int max_fds = 1024;  // file descriptors to close in the child when close_range is missing
};

// In the child: tells the parent errno through the error pipe and exits.
[[noreturn]] void ExitWithErrno(int error_write) {
  int err = errno;
  [[maybe_unused]] ssize_t n = ::write(error_write, &err, sizeof(err));
  ::_exit(127);
}

// In the child, between fork and exec: async-signal-safe calls only. Never returns.
[[noreturn]] void ExecChild(const SpawnRequest& request, pid_t parent, int error_write) {
  auto fail = [error_write] { ExitWithErrno(error_write); };
  // Default dispositions first, then the empty mask: no handler of ours ever runs in the child.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    ::sigaction(sig, &default_action, nullptr);
  }
  if (::setsid() < 0) {
    fail();
  }
  // The child dies with corvette, even when corvette is killed with SIGKILL.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
    fail();
  }
  if (::getppid() != parent) {
    ::_exit(127);  // the parent died before the line above
  }
  int null_in = ::open("/dev/null", O_RDONLY);
  if (null_in < 0 || ::dup2(null_in, 0) < 0) {
    fail();
  }
  int out = request.stdout_write >= 0 ? request.stdout_write : ::open("/dev/null", O_WRONLY);
  if (out < 0 || ::dup2(out, 1) < 0 || ::dup2(request.stderr_write, 2) < 0) {
    fail();
  }
  // Nothing else of ours (sockets of the HTTP server, the database, other children's pipes)
  // reaches the child, whether or not its opener asked for close-on-exec. The error pipe is
  // close-on-exec and tells the parent whether exec failed.
  bool closed = true;
  if (error_write > 3) {
    closed = ::syscall(SYS_close_range, 3U, static_cast<unsigned>(error_write - 1), 0U) == 0;
  }
  closed =
      closed && ::syscall(SYS_close_range, static_cast<unsigned>(error_write + 1), ~0U, 0U) == 0;
  if (!closed) {  // kernels before 5.9 have no close_range
    for (int fd = 3; fd < request.max_fds; ++fd) {
      if (fd != error_write)
        ::close(fd);
    }
  }
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  ::sigprocmask(SIG_SETMASK, &empty_mask, nullptr);
  ::execve(request.program.c_str(), request.argv.data(), environ);
  ExitWithErrno(error_write);
}

// Forks and execs `request`; returns the child's pid or throws std::system_error.
pid_t ForkExec(const SpawnRequest& request) {
  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) < 0) {
    throw SystemError(errno, "pipe for child start");
  }
  // The child's dup2 onto 0-2 must not overwrite the error pipe (when this process runs with
  // one of them closed, pipe2 can return it).
  for (int& fd : error_pipe) {
    if (fd <= 2) {
      int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      if (moved < 0) {
        int err = errno;
        ::close(error_pipe[0]);
        ::close(error_pipe[1]);
        throw SystemError(err, "pipe for child start");
      }
      ::close(fd);
      fd = moved;
    }
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(error_pipe[0]);
    ExecChild(request, parent, error_pipe[1]);
  }
  int fork_error = errno;
  ::close(error_pipe[1]);
  if (pid < 0) {
    ::close(error_pipe[0]);
    throw SystemError(fork_error, "fork");
  }
  int child_error = 0;
  ssize_t n;
  do {
    n = ::read(error_pipe[0], &child_error, sizeof(child_error));
  } while (n < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof(child_error))) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw SystemError(child_error, fmt::format("cannot start {}", request.program));
  }
  return pid;
}

// Starts every child from one thread that lives as long as the process. PR_SET_PDEATHSIG fires
// when the thread that forked the child ends, not the process: a child started from a short-lived
// thread would otherwise be killed when that thread returns. The thread blocks every signal, so
// none is handled in a child before its dispositions are reset.
class Spawner {
 public:
  static Spawner& Instance() {
    static Spawner* instance = new Spawner;  // never destroyed: its thread ends with the process
    return *instance;
  }

  // `request` must stay valid until this returns.
  pid_t Spawn(const SpawnRequest& request) {
    Job job{&request, {}};
    std::future<pid_t> result = job.result.get_future();
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return result.get();
  }

 private:
  // Owned by the spawner, so the promise outlives its set_value however soon the caller returns.
  struct Job {
    const SpawnRequest* request;
    std::promise<pid_t> result;
  };

  Spawner() {
    std::thread([this] { Run(); }).detach();
  }

  void Run() {
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return !jobs_.empty(); });
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      try {
        job.result.set_value(ForkExec(*job.request));
      } catch (...) {
        job.result.set_exception(std::current_exception());
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
};

}  // namespace

void ChildProcess::StartSpawner() {
  Spawner::Instance();
}

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

  SpawnRequest request;
  request.argv.reserve(options_.argv.size() + 1);
  for (const std::string& arg : options_.argv) {
    request.argv.push_back(const_cast<char*>(arg.c_str()));
  }
  request.argv.push_back(nullptr);
  request.stdout_write = stdout_pipe[1];
  rlimit fds{};
  if (::getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur != RLIM_INFINITY)
    request.max_fds = static_cast<int>(std::min<rlim_t>(fds.rlim_cur, 1 << 20));
  request.stderr_write = stderr_pipe[1];
  pid_t pid = -1;
  try {
    request.program = ResolveProgram(options_.argv[0]);
    pid = Spawner::Instance().Spawn(request);
  } catch (...) {
    close_all();
    throw;
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
  auto logger = util::NamedLogger(options_.log_name);
  for (const std::string& line : StderrLines()) {
    logger->error("{}", line);
  }
}

}  // namespace corvette::video
