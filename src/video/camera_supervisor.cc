#include "video/camera_supervisor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "util/named_logger.h"
#include "video/child_process.h"
#include "video/frame_reader.h"
#include "video/output_failure.h"

namespace corvette::video {
namespace {

// Extra pool frames beyond the queue: the one being read, the one being processed, and a few held
// by readers of the latest frame (HTTP, snapshots).
constexpr size_t kPoolSlack = 4;
// Most pool frames kept beyond the initial ones; more are allocated and freed one by one.
constexpr size_t kPoolGrowth = 16;
// A process without frames to show (no detect output) counts as running once alive this long.
constexpr double kRunningAfterSeconds = 5.0;

const util::Clock& ClockOf(const CameraSupervisorOptions& options) {
  return options.clock != nullptr ? *options.clock : util::SystemClock::Instance();
}

FramePool::Options PoolOptions(const CameraSupervisorOptions& options) {
  FramePool::Options pool;
  // A camera without a detect process never acquires a frame; keep its pool tiny but valid.
  pool.width = std::max(options.width, 2);
  pool.height = std::max(options.height, 2);
  pool.initial_frames = options.queue_size + kPoolSlack;
  pool.max_retained_frames = pool.initial_frames + kPoolGrowth;
  pool.name = options.camera;
  return pool;
}

}  // namespace

bool FfmpegCommand::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string FfmpegCommand::roles_name() const {
  std::vector<std::string> sorted = roles;
  std::sort(sorted.begin(), sorted.end());
  return fmt::format("{}", fmt::join(sorted, "_"));
}

struct CameraSupervisor::Process {
  Process(const FfmpegCommand& c, const BackoffOptions& backoff, const util::Clock& clock)
      : command(c), detect(c.has_role("detect")), backoff(backoff, clock) {}

  FfmpegCommand command;
  bool detect;
  std::string log_name;
  Backoff backoff;
  std::unique_ptr<ChildProcess> child;
  bool ever_started = false;
  double next_start = 0;  // monotonic; when to start again while !child
  double started_at = 0;  // monotonic
  double kill_at = 0;     // monotonic; SIGKILL due (0: not terminating)
  bool terminated_by_us = false;
  bool healthy_marked = false;             // the detect process delivered its first frame
  bool exited_by_itself = false;           // the last exit was not our doing
  std::string error;                       // why it last failed, until it runs again
  std::vector<std::string> last_stderr;    // of the last failure, to say "again" briefly
  std::optional<OutputFailure> split_for;  // split it (another output failed)
  std::unique_ptr<FrameReader> reader;
  std::thread reader_thread;
  std::atomic<bool> reader_finished{false};
};

CameraSupervisor::CameraSupervisor(CameraSupervisorOptions options)
    : options_(std::move(options)),
      clock_(ClockOf(options_)),
      camera_fps_(clock_),
      skipped_fps_(clock_),
      pool_(PoolOptions(options_)),
      queue_(std::max<size_t>(options_.queue_size, 1), [this] { skipped_fps_.Mark(); }) {
  if (options_.commands.empty()) {
    throw std::invalid_argument(fmt::format("camera {}: no ffmpeg command", options_.camera));
  }
  size_t detect_count = 0;
  for (const FfmpegCommand& command : options_.commands) {
    if (command.argv.empty()) {
      throw std::invalid_argument(fmt::format("camera {}: empty ffmpeg command", options_.camera));
    }
    auto process = std::make_unique<Process>(command, options_.backoff, clock_);
    process->log_name = fmt::format("ffmpeg.{}.{}", options_.camera, command.roles_name());
    detect_count += process->detect ? 1 : 0;
    processes_.push_back(std::move(process));
  }
  if (detect_count > 1) {
    throw std::invalid_argument(fmt::format(
        "camera {}: more than one ffmpeg command has the detect role", options_.camera));
  }
  if (detect_count == 1 && (options_.width <= 0 || options_.height <= 0)) {
    throw std::invalid_argument(
        fmt::format("camera {}: detect width and height must be positive", options_.camera));
  }
  status_.roles = Roles(clock_.Monotonic());  // every role "starting" until the thread runs
}

CameraSupervisor::~CameraSupervisor() {
  Stop();
}

void CameraSupervisor::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stop_requested_) {
    return;
  }
  camera_fps_.Start();
  skipped_fps_.Start();
  thread_ = std::thread([this] { Supervise(); });
}

void CameraSupervisor::RequestStop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
}

void CameraSupervisor::Stop() {
  std::lock_guard stop_lock(stop_mutex_);
  RequestStop();
  if (thread_.joinable()) {
    thread_.join();
  }
  queue_.Close();
  std::lock_guard lock(mutex_);
  status_.state = State::kStopped;
  status_.capture_pid = 0;
}

CameraSupervisor::Status CameraSupervisor::status() const {
  std::lock_guard lock(mutex_);
  Status status = status_;
  status.capture_pid = capture_pid();
  status.frames_read = frames_read_.load(std::memory_order_relaxed);
  status.frames_dropped = queue_.dropped();
  return status;
}

void CameraSupervisor::Supervise() {
  for (;;) {
    double now = clock_.Monotonic();
    double next_wake = now + options_.check_interval_seconds;
    for (auto& process : processes_)
      CheckProcess(*process, now);
    SplitFailedProcesses(now);
    for (auto& process : processes_) {
      if (!process->child) {
        next_wake = std::min(next_wake, process->next_start);
      }
    }
    UpdateState(now);
    std::unique_lock lock(mutex_);
    // Waits in real time; the clock decides what is due. With a clock that does not move by itself
    // this still checks every check_interval_seconds.
    double wait = std::clamp(next_wake - now, 0.001, options_.check_interval_seconds);
    wake_.wait_for(lock, std::chrono::duration<double>(wait),
                   [this] { return stop_requested_ || wake_requested_; });
    wake_requested_ = false;
    if (stop_requested_) {
      break;
    }
  }
  ShutDownProcesses();
}

void CameraSupervisor::CheckProcess(Process& process, double now) {
  if (!process.child) {
    if (now >= process.next_start) {
      StartProcess(process, now);
    }
    return;
  }
  if (process.child->Poll()) {
    HandleExit(process, now);
    return;
  }
  if (process.kill_at > 0) {
    if (now >= process.kill_at) {
      process.child->Signal(SIGKILL);
    }
    return;
  }
  if (process.detect) {
    double last_frame = std::max(process.reader->last_frame_monotonic(), process.started_at);
    if (!process.healthy_marked && process.reader->frames_read() > 0) {
      // Health, for the backoff reset, counts from the first frame.
      process.backoff.MarkStarted();
      process.healthy_marked = true;
    }
    if (now - last_frame > options_.no_frame_timeout_seconds) {
      util::NamedLogger("watchdog." + options_.camera)
          ->error("No frames received from {} in {:.0f} seconds. Restarting ffmpeg (pid {})...",
                  options_.camera, now - last_frame, process.child->pid());
      process.terminated_by_us = true;
      process.child->Signal(SIGTERM);
      process.kill_at = now + options_.restart_grace_seconds;
    }
  }
}

void CameraSupervisor::StartProcess(Process& process, double now) {
  auto logger = util::NamedLogger("watchdog." + options_.camera);
  ChildProcess::Options child_options;
  child_options.argv = process.command.argv;
  child_options.log_name = process.log_name;
  child_options.capture_stdout = process.detect;
  if (process.detect) {
    child_options.stdout_pipe_bytes =
        options_.stdout_pipe_frames * I420Size(options_.width, options_.height);
  }
  if (process.ever_started) {
    std::lock_guard lock(mutex_);
    ++status_.restarts;
  }
  process.ever_started = true;
  try {
    process.child = std::make_unique<ChildProcess>(std::move(child_options));
  } catch (const std::exception& e) {
    double delay = process.backoff.NextDelay();
    process.next_start = now + delay;
    {
      std::lock_guard lock(mutex_);
      status_.last_restart_delay = delay;
    }
    logger->error("Cannot start ffmpeg ({}) for {}: {}. Retrying in {:.1f} s.",
                  process.command.roles_name(), options_.camera, e.what(), delay);
    return;
  }
  process.started_at = now;
  process.kill_at = 0;
  process.terminated_by_us = false;
  process.exited_by_itself = false;
  process.healthy_marked = false;
  if (!process.detect) {
    process.backoff.MarkStarted();
  }
  logger->info("ffmpeg ({}) for {} started, pid {}", process.command.roles_name(), options_.camera,
               process.child->pid());
  if (process.detect) {
    FrameReaderOptions reader_options;
    reader_options.first_sequence = next_sequence_;
    reader_options.on_frame_read = [this] {
      camera_fps_.Mark();
      frames_read_.fetch_add(1, std::memory_order_relaxed);
    };
    process.reader = std::make_unique<FrameReader>(process.child->stdout_fd(), pool_, queue_,
                                                   clock_, std::move(reader_options));
    process.reader_finished = false;
    process.reader_thread = std::thread([this, &process] {
      process.reader->Run();
      process.reader_finished = true;
      // The stream ended: most likely ffmpeg is exiting, so look at it now rather than at the next
      // tick.
      {
        std::lock_guard lock(mutex_);
        wake_requested_ = true;
      }
      wake_.notify_all();
    });
    capture_pid_.store(process.child->pid(), std::memory_order_relaxed);
  }
}

void CameraSupervisor::HandleExit(Process& process, double now) {
  ExitStatus exit = *process.child->Poll();
  if (process.detect) {
    capture_pid_.store(0, std::memory_order_relaxed);
    // Frames ffmpeg wrote before it died are still delivered: the reader drains the pipe up to end
    // of file, which comes as soon as the process group is gone. Stop() is only a safety net.
    auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (!process.reader_finished.load() && std::chrono::steady_clock::now() < drain_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    process.reader->Stop();
    process.reader_thread.join();
    next_sequence_ = process.reader->next_sequence();
    process.reader.reset();
  }
  // The group is gone, so stderr reaches end of file promptly; wait briefly to log the last lines.
  process.child->WaitStderrClosed(0.25);
  double delay = process.backoff.NextDelay();
  process.next_start = now + delay;
  {
    std::lock_guard lock(mutex_);
    status_.last_restart_delay = delay;
  }
  auto logger = util::NamedLogger("watchdog." + options_.camera);
  std::vector<std::string> lines = process.child->StderrLines();
  process.exited_by_itself = !process.terminated_by_us;
  if (process.terminated_by_us) {
    logger->info("ffmpeg ({}) for {} stopped ({}). Restarting in {:.1f} s.",
                 process.command.roles_name(), options_.camera, exit.ToString(), delay);
  } else if (!lines.empty() && lines == process.last_stderr) {
    logger->error(
        "ffmpeg ({}) for {} exited again ({}) with the same last lines. Restarting in "
        "{:.1f} s.",
        process.command.roles_name(), options_.camera, exit.ToString(), delay);
  } else {
    logger->error("ffmpeg ({}) for {} exited unexpectedly ({}). Restarting in {:.1f} s.",
                  process.command.roles_name(), options_.camera, exit.ToString(), delay);
    if (!lines.empty()) {
      logger->error("The following ffmpeg logs include the last {} lines prior to exit.",
                    process.child->options().stderr_max_lines);
      process.child->LogStderr();
    }
  }
  if (process.exited_by_itself) {
    std::optional<OutputFailure> failure = FindOutputFailure(process.command, lines);
    process.error = failure ? failure->line : lines.empty() ? exit.ToString() : lines.back();
    if (failure && process.detect && failure->role != "detect" && SplitOffDetect(process.command)) {
      process.split_for = std::move(failure);
    }
  }
  process.last_stderr = std::move(lines);
  process.child.reset();
}

void CameraSupervisor::ShutDownProcesses() {
  for (auto& process : processes_) {
    if (process->child) {
      process->child->Signal(SIGTERM);
    }
  }
  // One grace period for all processes together, so stopping takes stop_grace_seconds at most.
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(options_.stop_grace_seconds);
  for (auto& process : processes_) {
    if (!process->child) {
      continue;
    }
    double remaining =
        std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
    if (!process->child->WaitFor(std::max(remaining, 0.0))) {
      process->child->Signal(SIGKILL);
      process->child->Wait();
    }
    if (process->reader) {
      process->reader->Stop();
      process->reader_thread.join();
      next_sequence_ = process->reader->next_sequence();
      process->reader.reset();
    }
    process->child.reset();
  }
  capture_pid_.store(0, std::memory_order_relaxed);
}

void CameraSupervisor::SplitFailedProcesses(double now) {
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    Process& failed = *processes_[i];
    if (!failed.split_for || failed.child)
      continue;
    auto [detect, others] = *SplitOffDetect(failed.command);
    util::NamedLogger("watchdog." + options_.camera)
        ->error("{}", failed.split_for->Explain(options_.camera));
    auto detect_process = std::make_unique<Process>(detect, options_.backoff, clock_);
    auto other_process = std::make_unique<Process>(others, options_.backoff, clock_);
    for (Process* part : {detect_process.get(), other_process.get()})
      part->log_name = fmt::format("ffmpeg.{}.{}", options_.camera, part->command.roles_name());
    detect_process->next_start = now;  // it did nothing wrong
    other_process->ever_started = true;
    other_process->next_start = failed.next_start;
    other_process->exited_by_itself = true;
    other_process->error = failed.error;
    other_process->last_stderr = failed.last_stderr;
    processes_[i] = std::move(detect_process);
    processes_.insert(processes_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                      std::move(other_process));
    ++i;
  }
}

void CameraSupervisor::UpdateState(double now) {
  bool all_running = std::all_of(processes_.begin(), processes_.end(),
                                 [](const auto& process) { return process->child != nullptr; });
  std::vector<Status::Role> roles = Roles(now);
  std::lock_guard lock(mutex_);
  status_.roles = std::move(roles);
  if (status_.state != State::kStopped) {
    status_.state = all_running ? State::kRunning : State::kRestarting;
  }
}

std::vector<CameraSupervisor::Status::Role> CameraSupervisor::Roles(double now) {
  std::vector<Status::Role> roles;
  for (auto& process : processes_) {
    std::string state;
    if (process->child) {
      const bool running = process->detect ? process->healthy_marked
                                           : now - process->started_at >= kRunningAfterSeconds;
      state = running ? "running" : "starting";
      if (running)
        process->error.clear();
    } else {
      state = process->exited_by_itself ? "failed"
              : process->ever_started   ? "restarting"
                                        : "starting";
    }
    const std::vector<std::pair<std::string, std::vector<std::string>>>& outputs =
        process->command.outputs;
    std::vector<std::string> names;
    for (const auto& output : outputs)
      names.push_back(output.first);
    if (outputs.empty())
      names = process->command.roles;
    for (const std::string& role : names)
      roles.push_back({role, state, process->error});
  }
  std::sort(roles.begin(), roles.end(),
            [](const Status::Role& a, const Status::Role& b) { return a.role < b.role; });
  return roles;
}

}  // namespace corvette::video
