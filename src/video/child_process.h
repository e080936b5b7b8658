#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace corvette::video {

// How a child process ended.
struct ExitStatus {
  bool signaled = false;  // true: killed by `signal`; false: exited with `code`
  int code = 0;
  int signal = 0;

  bool success() const { return !signaled && code == 0; }
  // "exit code 1" or "signal 9 (Killed)".
  std::string ToString() const;
};

// One child process (ffmpeg) in its own session and process group, with stdin from /dev/null,
// stdout either a pipe the caller reads (stdout_fd()) or /dev/null, and stderr read by an internal
// thread into a ring of the last lines. The child gets no other file descriptor of this process
// (everything from fd 3 up is closed in the child), an empty signal mask and default signal
// dispositions, whatever the parent blocks or ignores. The child gets SIGKILL when this process
// dies, however it dies (PR_SET_PDEATHSIG; children are started from one process-lifetime thread,
// so the thread that constructs a ChildProcess may end before the child does).
//
// Signals go to the whole process group, so anything the child started dies with it. When the child
// is reaped, whatever is left of its group is killed. The destructor kills (SIGKILL) and reaps a
// child that is still running; call Terminate() first for a graceful stop. Every method is
// thread-safe.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH
    // Logger used by LogStderr(), e.g. "ffmpeg.front_door.detect".
    std::string log_name = "ffmpeg";
    bool capture_stdout = false;
    // Requested stdout pipe capacity in bytes (F_SETPIPE_SZ); 0 keeps the default. An unprivileged
    // process is limited by /proc/sys/fs/pipe-max-size: the request is then lowered to that limit.
    size_t stdout_pipe_bytes = 0;
    size_t stderr_max_lines = 100;
  };

  // Starts the thread every child is forked from, if it is not running yet (the first
  // ChildProcess otherwise does). Children inherit that thread's nice value and CPU affinity, which
  // it takes from the thread that starts it: call this early, from the main thread.
  static void StartSpawner();

  // Starts the process. Throws std::system_error when it cannot be started (pipe, spawn or exec
  // failure, e.g. ENOENT for a missing program) or std::invalid_argument for an empty argv.
  explicit ChildProcess(Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const Options& options() const { return options_; }

  // Read end of the child's stdout (owned by this object, blocking, close-on-exec), or -1 when not
  // captured.
  int stdout_fd() const { return stdout_fd_; }
  // The capacity the stdout pipe actually got, in bytes (0 when not captured).
  size_t stdout_pipe_bytes() const { return stdout_pipe_bytes_; }

  // Non-blocking: the exit status once the child has ended (reaping it), else nullopt.
  std::optional<ExitStatus> Poll();
  bool Running() { return !Poll().has_value(); }
  // Waits up to `timeout_seconds` for the child to end.
  std::optional<ExitStatus> WaitFor(double timeout_seconds);
  // Waits until the child ends.
  ExitStatus Wait();

  // Sends `signal` to the child's process group; does nothing once the child has been reaped.
  void Signal(int signal);
  // SIGTERM to the group, waits up to `grace_seconds`, then SIGKILL to the group; reaps the child.
  ExitStatus Terminate(double grace_seconds);

  // The last stderr lines (at most stderr_max_lines; "\n" and "\r" both end a line), oldest first.
  std::vector<std::string> StderrLines() const;
  // Waits up to `timeout_seconds` for the stderr pipe to reach end of file (it does once the
  // child's group is gone), so that StderrLines() holds the child's last words. True when it has.
  bool WaitStderrClosed(double timeout_seconds);
  // Logs the stderr ring at error level, one record per line, to the logger named
  // options().log_name.
  void LogStderr() const;

 private:
  void ReadStderr();
  void AddStderrLine(std::string line);
  std::optional<ExitStatus> PollLocked();

  const Options options_;
  pid_t pid_ = -1;
  int pidfd_ = -1;  // for waiting without polling; -1 when pidfd_open is unavailable
  int stdout_fd_ = -1;
  size_t stdout_pipe_bytes_ = 0;
  int stderr_fd_ = -1;
  int stderr_stop_fd_ = -1;  // eventfd that wakes the stderr thread at destruction

  mutable std::mutex wait_mutex_;
  std::optional<ExitStatus> exit_status_;  // set once reaped

  mutable std::mutex stderr_mutex_;
  std::condition_variable stderr_closed_cv_;
  bool stderr_closed_ = false;
  std::deque<std::string> stderr_lines_;
  std::thread stderr_thread_;
};

}  // namespace corvette::video
