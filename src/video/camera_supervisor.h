#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "stats/rate_meter.h"
#include "util/clock.h"
#include "video/backoff.h"
#include "video/frame_pool.h"
#include "video/frame_queue.h"

namespace corvette::video {

// One ffmpeg process of a camera: one per input that has outputs (spec 2.8).
struct FfmpegCommand {
  std::vector<std::string>
      roles;  // e.g. {"clips", "detect"}; the "detect" one writes frames to stdout
  std::vector<std::string> argv;  // full command line, argv[0] = "ffmpeg"
  // Optional, so that an output that cannot be written can be split off (video/output_failure.h):
  // argv up to and including the input, and each output's role and arguments (destination last)
  // in ffmpeg's output order; argv is input_argv followed by every output's arguments.
  std::vector<std::string> input_argv = {};
  std::vector<std::pair<std::string, std::vector<std::string>>> outputs = {};

  bool has_role(const std::string& role) const;
  // The roles sorted and joined by '_' ("clips_detect"), as in the logger name
  // ffmpeg.<camera>.<roles>.
  std::string roles_name() const;
};

struct CameraSupervisorOptions {
  std::string camera;
  std::vector<FfmpegCommand> commands;  // at most one with the detect role
  int width = 0;                        // detect frame geometry (the detect ffmpeg's output size)
  int height = 0;
  // Frames waiting for the camera processor. 2 as Frigate 0.8: a processor that falls behind sees
  // frames at most two frames old, and the drops show in skipped_fps.
  size_t queue_size = 2;
  // A detect ffmpeg that has delivered no frame for this long (since its start or its last frame)
  // is terminated and restarted.
  double no_frame_timeout_seconds = 20.0;
  // While running: SIGTERM, then SIGKILL after this long if the process is still there.
  double restart_grace_seconds = 10.0;
  // At Stop(): SIGTERM to every process, SIGKILL to those still there after this long.
  double stop_grace_seconds = 1.0;
  // How often processes are checked (deaths, frame timeout); a reader reaching end of stream also
  // wakes the check at once.
  double check_interval_seconds = 0.25;
  BackoffOptions backoff;
  // Requested capacity of the detect ffmpeg's stdout pipe, in frames (Frigate: 10).
  size_t stdout_pipe_frames = 10;
  // Time for frame stamps, backoff and rates; null = util::SystemClock. Must outlive the
  // supervisor.
  const util::Clock* clock = nullptr;
};

// Keeps a camera's ffmpeg processes running and its frames flowing into frames(). Each process that
// dies is started again after a delay from its own Backoff (1 s doubling to 30 s with jitter, reset
// after a healthy minute); the detect process is also restarted when it delivers no frame for
// no_frame_timeout_seconds. Dying processes have their last stderr lines logged at error level to
// ffmpeg.<camera>.<roles> (a process that dies again with the same lines says so in one line);
// the supervisor's own messages go to watchdog.<camera>.
//
// One failing output never stops detection: when the process that also writes the detect frames
// dies because another of its outputs cannot be written (ffmpeg's stderr names the output file),
// it is split for good into a detect process and one for the other outputs (which is retried with
// its backoff), and the reason and the fix are logged once (video/output_failure.h).
//
// Threads: one supervising thread per camera plus one FrameReader thread while a detect process
// runs, so a camera whose stream is gone never holds up another. All public methods are
// thread-safe.
class CameraSupervisor {
 public:
  enum class State { kNotStarted, kRunning, kRestarting, kStopped };
  struct Status {
    State state = State::kNotStarted;  // kRestarting while any process waits to be started again
    uint64_t restarts = 0;             // process starts after the first, all processes together
    pid_t capture_pid = 0;             // the detect ffmpeg's pid; 0 when none runs
    uint64_t frames_read = 0;          // since construction
    uint64_t frames_dropped = 0;       // dropped because the queue was full
    double last_restart_delay = 0;     // seconds, the most recent backoff delay chosen
    // Each configured output's role and whether it works: "running" (its process runs and, for
    // detect, frames arrive; others after 5 s alive), "starting", "failed" (its process exited by
    // itself; `error` says why, from ffmpeg's stderr), "restarting" (stopped by the watchdog).
    struct Role {
      std::string role;
      std::string state;
      std::string error;  // the last failure, kept until the role runs again
    };
    std::vector<Role> roles;  // sorted by role
  };

  // Throws std::invalid_argument when the options are unusable (no commands, several detect
  // commands, a detect command without a positive geometry).
  explicit CameraSupervisor(CameraSupervisorOptions options);
  // Stops if running.
  ~CameraSupervisor();
  CameraSupervisor(const CameraSupervisor&) = delete;
  CameraSupervisor& operator=(const CameraSupervisor&) = delete;

  // Starts the processes (on the supervising thread; this returns at once). Call once.
  void Start();
  // Asks the supervisor to stop without waiting; Stop() then finishes. Lets an app stop every
  // camera in parallel.
  void RequestStop();
  // Terminates every process (SIGTERM, SIGKILL after stop_grace_seconds), joins the threads and
  // closes frames(). Takes about stop_grace_seconds at most.
  void Stop();

  // Frames of the detect process, newest kept when full. Lives as long as the supervisor; closed by
  // Stop().
  FrameQueue& frames() { return queue_; }
  const CameraSupervisorOptions& options() const { return options_; }

  pid_t capture_pid() const { return capture_pid_.load(std::memory_order_relaxed); }
  Status status() const;
  // Frames read from ffmpeg per second (camera_fps) and dropped from the full queue (skipped_fps),
  // over the stats window.
  double camera_fps() const { return camera_fps_.Rate(); }
  double skipped_fps() const { return skipped_fps_.Rate(); }

 private:
  struct Process;

  void Supervise();
  void CheckProcess(Process& process, double now);
  void StartProcess(Process& process, double now);
  void HandleExit(Process& process, double now);
  void ShutDownProcesses();
  // Replaces processes marked for splitting by their detect and other parts.
  void SplitFailedProcesses(double now);
  void UpdateState(double now);
  // Each output role's state (Status::roles); forgets the error of a process that runs again.
  std::vector<Status::Role> Roles(double now);

  const CameraSupervisorOptions options_;
  const util::Clock& clock_;
  stats::RateMeter camera_fps_;
  stats::RateMeter skipped_fps_;
  FramePool pool_;
  FrameQueue queue_;
  std::vector<std::unique_ptr<Process>> processes_;  // touched only by the supervising thread
  uint64_t next_sequence_ = 0;                       // supervising thread only

  std::atomic<pid_t> capture_pid_{0};
  std::atomic<uint64_t> frames_read_{0};
  std::mutex stop_mutex_;  // serialises Stop()
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  bool wake_requested_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace corvette::video
