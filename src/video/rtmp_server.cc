#include "video/rtmp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>
#include <vector>

#include "util/named_logger.h"
#include "util/strings.h"
#include "video/child_process.h"

namespace corvette::video {
namespace {

constexpr char kWatchdogLogger[] = "watchdog.rtmp";
constexpr char kNginxLogger[] = "nginx.rtmp";

bool IsExecutableFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// `program` looked up in PATH, then /usr/sbin and /sbin; empty when not found.
std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos)
    return IsExecutableFile(program) ? program : std::string();
  std::vector<std::string> folders;
  if (const char* path = std::getenv("PATH")) {
    for (std::string_view folder : util::SplitNonEmpty(path, ":"))
      folders.emplace_back(folder);
  }
  folders.emplace_back("/usr/sbin");
  folders.emplace_back("/sbin");
  for (const std::string& folder : folders) {
    std::string candidate = folder + "/" + program;
    if (IsExecutableFile(candidate))
      return candidate;
  }
  return {};
}

// "nobody nogroup" when running as root and that user exists; "" when not root. As root without a
// "nobody" user the worker stays root: returned as "root root" with `warning` set.
std::string WorkerUser(std::string* warning) {
  if (::geteuid() != 0)
    return {};
  std::vector<char> buffer(16384);
  passwd user{};
  passwd* found_user = nullptr;
  if (::getpwnam_r("nobody", &user, buffer.data(), buffer.size(), &found_user) == 0 &&
      found_user != nullptr) {
    std::vector<char> group_buffer(16384);
    group group_entry{};
    group* found_group = nullptr;
    if (::getgrgid_r(user.pw_gid, &group_entry, group_buffer.data(), group_buffer.size(),
                     &found_group) == 0 &&
        found_group != nullptr) {
      return fmt::format("nobody {}", found_group->gr_name);
    }
  }
  *warning = "there is no user nobody (with a group): the RTMP server's worker runs as root";
  return "root root";
}

std::optional<std::string> WriteFile(const std::string& path, const std::string& content) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << content;
    out.close();
    if (!out)
      return fmt::format("cannot write {}: {}", temporary, std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec)
    return fmt::format("cannot rename {} to {}: {}", temporary, path, ec.message());
  return std::nullopt;
}

std::string LastStderrLine(const ChildProcess& child) {
  std::vector<std::string> lines = child.StderrLines();
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    if (!line->empty())
      return *line;
  }
  return "no output";
}

// A process as /proc/<pid>/stat tells it.
struct ProcStat {
  pid_t pid = 0;
  std::string comm;
  char state = 0;
  long ppid = 0;
  long pgrp = 0;
};

std::vector<ProcStat> Processes() {
  std::vector<ProcStat> processes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after the last ')'.
    size_t open = line.find('(');
    size_t close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
      continue;
    ProcStat process;
    process.pid = static_cast<pid_t>(std::stol(name));
    process.comm = line.substr(open + 1, close - open - 1);
    if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld", &process.state, &process.ppid,
                    &process.pgrp) == 3)
      processes.push_back(std::move(process));
  }
  return processes;
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  for (const ProcStat& process : Processes()) {
    if (process.ppid == parent)
      children.push_back(process.pid);
  }
  return children;
}

bool ProcessExists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

bool IsZombie(pid_t pid) {
  for (const ProcStat& process : Processes()) {
    if (process.pid == pid)
      return process.state == 'Z';
  }
  return false;
}

// The live members of process group `pgid`, when every one of them is an nginx; else empty.
std::vector<pid_t> NginxGroup(pid_t pgid) {
  std::vector<pid_t> members;
  for (const ProcStat& process : Processes()) {
    if (process.pgrp != pgid || process.state == 'Z')
      continue;
    if (process.comm != "nginx")
      return {};
    members.push_back(process.pid);
  }
  return members;
}

// A server left running by an earlier corvette that died without stopping it holds the port: stop
// it. Its pid file names the nginx master, which leads its own process group. Either the master
// still runs with our config, or (the usual case: the master gets SIGKILL when corvette dies) only
// its worker is left, still in the master's group. True when there was one.
bool StopLeftoverServer(const std::filesystem::path& pid_file, const std::string& config) {
  std::ifstream in(pid_file);
  long value = 0;
  if (!(in >> value) || value <= 1)
    return false;
  pid_t pid = static_cast<pid_t>(value);
  if (ProcessExists(pid) && !IsZombie(pid)) {
    std::ifstream cmdline_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(cmdline_file)),
                        std::istreambuf_iterator<char>());
    if (cmdline.find("nginx") == std::string::npos || cmdline.find(config) == std::string::npos)
      return false;
    util::NamedLogger(kWatchdogLogger)
        ->warn("Stopping an RTMP server left running by an earlier run (nginx pid {})", pid);
    std::vector<pid_t> workers = ChildrenOf(pid);
    ::kill(pid, SIGTERM);
    const auto running = [](pid_t p) { return ProcessExists(p) && !IsZombie(p); };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (running(pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid, SIGKILL);
    for (pid_t worker : workers)
      ::kill(worker, SIGKILL);
    // The port is free once the worker that holds it has exited, not when it was sent SIGKILL.
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::any_of(workers.begin(), workers.end(), running) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  std::vector<pid_t> orphans = NginxGroup(pid);
  if (orphans.empty())
    return false;
  util::NamedLogger(kWatchdogLogger)
      ->warn("Stopping {} nginx worker(s) left running by an earlier run (process group {})",
             orphans.size(), pid);
  ::kill(-pid, SIGKILL);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!NginxGroup(pid).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return true;
}

}  // namespace

std::string RtmpNginxConfig(const RtmpNginxConfigOptions& options) {
  std::string user = options.user.empty() ? std::string() : fmt::format("user {};\n", options.user);
  // One worker: the RTMP module's live streams are per worker process.
  return fmt::format(
      "# Written by corvette at every start of its RTMP server: edits are lost.\n"
      "load_module {module};\n"
      "daemon off;\n"
      "master_process on;\n"
      "worker_processes 1;\n"
      "{user}"
      "pid {folder}/nginx.pid;\n"
      "lock_file {folder}/nginx.lock;\n"
      "error_log stderr warn;\n"
      "\n"
      "events {{\n"
      "  worker_connections 1024;\n"
      "}}\n"
      "\n"
      "rtmp {{\n"
      "  server {{\n"
      "    listen {port};\n"
      "    chunk_size 4096;\n"
      "    allow publish 127.0.0.1;\n"
      "    deny publish all;\n"
      "    allow play all;\n"
      "    application live {{\n"
      "      live on;\n"
      "      record off;\n"
      "      meta copy;\n"
      "      # A publisher that sends nothing for this long is dropped, so its camera can publish\n"
      "      # again.\n"
      "      drop_idle_publisher 10s;\n"
      "    }}\n"
      "  }}\n"
      "}}\n",
      fmt::arg("module", options.module_path), fmt::arg("user", user),
      fmt::arg("folder", options.folder), fmt::arg("port", options.port));
}

std::optional<std::string> CheckPortFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fmt::format("cannot make a socket: {}", std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(static_cast<uint16_t>(port));
  std::optional<std::string> error;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    error = errno == EADDRINUSE
                ? fmt::format("port {} is in use", port)
                : fmt::format("port {} cannot be bound: {}", port, std::strerror(errno));
  }
  ::close(fd);
  return error;
}

bool AcceptsConnections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool connected = false;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    connected = true;
  } else if (errno == EINPROGRESS) {
    pollfd poll_fd{fd, POLLOUT, 0};
    if (::poll(&poll_fd, 1, 500) == 1) {
      int error = 0;
      socklen_t length = sizeof(error);
      connected = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
    }
  }
  ::close(fd);
  return connected;
}

RtmpServer::RtmpServer(RtmpServerOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : util::SystemClock::Instance()),
      backoff_(options_.backoff, clock_) {}

RtmpServer::~RtmpServer() {
  Stop();
}

std::string RtmpServer::LocalUrl(const std::string& name) const {
  return fmt::format("rtmp://127.0.0.1:{}/live/{}", options_.port, name);
}

std::string RtmpServer::config_path() const {
  return (std::filesystem::absolute(options_.folder) / "nginx.conf").string();
}

RtmpServer::Status RtmpServer::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::optional<std::string> RtmpServer::Prepare() {
  nginx_path_ = FindProgram(options_.nginx);
  if (nginx_path_.empty())
    return fmt::format("nginx with the RTMP module is not installed (no {} in PATH)",
                       options_.nginx);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(options_.module_path, ec))
    return fmt::format("nginx with the RTMP module is not installed (no {})", options_.module_path);
  if (options_.port < 1 || options_.port > 65535)
    return fmt::format("port {} is not a TCP port", options_.port);
  std::filesystem::path folder = std::filesystem::absolute(options_.folder, ec);
  if (options_.folder.empty() || ec)
    return fmt::format("no folder for the RTMP server's files ({})", options_.folder);
  if (CheckPortFree(options_.port) && StopLeftoverServer(folder / "nginx.pid", config_path()))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (std::optional<std::string> error = CheckPortFree(options_.port))
    return error;
  std::filesystem::create_directories(folder, ec);
  if (ec || !std::filesystem::is_directory(folder))
    return fmt::format("cannot create {}: {}", folder.string(),
                       ec ? ec.message() : std::string("not a directory"));

  std::string warning;
  RtmpNginxConfigOptions config;
  config.port = options_.port;
  config.folder = folder.lexically_normal().string();
  config.module_path = std::filesystem::absolute(options_.module_path).string();
  config.user = WorkerUser(&warning);
  if (!warning.empty())
    util::NamedLogger(kWatchdogLogger)->warn("{}", warning);
  return WriteFile(config_path(), RtmpNginxConfig(config));
}

std::optional<std::string> RtmpServer::Launch() {
  ChildProcess::Options child;
  std::string folder = std::filesystem::absolute(options_.folder).lexically_normal().string();
  // -e: errors before the config is read go to stderr too; -p: relative paths resolve in the
  // folder, never in nginx's system prefix.
  child.argv = {nginx_path_, "-e", "stderr", "-p", folder + "/", "-c", config_path()};
  child.log_name = kNginxLogger;
  child.stderr_max_lines = 50;
  std::unique_ptr<ChildProcess> process;
  try {
    process = std::make_unique<ChildProcess>(child);
  } catch (const std::exception& e) {
    return fmt::format("cannot start {}: {}", nginx_path_, e.what());
  }
  std::lock_guard lock(mutex_);
  child_ = std::move(process);
  status_.running = true;
  status_.pid = child_->pid();
  return std::nullopt;
}

std::optional<std::string> RtmpServer::Start() {
  {
    std::lock_guard lock(mutex_);
    if (started_)
      return std::string("RTMP server already started");
    started_ = true;
  }
  auto fail = [this](const std::string& why) {
    std::string error = "RTMP restream disabled: " + why;
    util::NamedLogger(kWatchdogLogger)->error("{}", error);
    std::lock_guard lock(mutex_);
    status_.running = false;
    status_.pid = 0;
    return error;
  };
  if (std::optional<std::string> error = Prepare())
    return fail(*error);
  if (std::optional<std::string> error = Launch())
    return fail(*error);

  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration<double>(options_.ready_timeout_seconds);
  while (true) {
    if (std::optional<ExitStatus> exit = child_->Poll()) {
      child_->WaitStderrClosed(1.0);
      child_->LogStderr();
      std::string why =
          fmt::format("nginx exited at start ({}): {}", exit->ToString(), LastStderrLine(*child_));
      return fail(why);
    }
    if (AcceptsConnections(options_.port))
      break;
    if (std::chrono::steady_clock::now() >= deadline) {
      child_->Terminate(options_.stop_grace_seconds);
      child_->LogStderr();
      return fail(fmt::format("nginx did not accept connections on port {} within {:.0f} s",
                              options_.port, options_.ready_timeout_seconds));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  backoff_.MarkStarted();
  util::NamedLogger(kWatchdogLogger)
      ->info("RTMP server listening on port {} (nginx pid {}), config {}", options_.port,
             child_->pid(), config_path());
  thread_ = std::thread([this] { Supervise(); });
  return std::nullopt;
}

void RtmpServer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  std::unique_ptr<ChildProcess> child;
  {
    std::lock_guard lock(mutex_);
    child = std::move(child_);
    status_.running = false;
    status_.pid = 0;
  }
  if (child && child->Running()) {
    child->Terminate(options_.stop_grace_seconds);
    util::NamedLogger(kWatchdogLogger)->info("RTMP server stopped");
  }
}

void RtmpServer::Supervise() {
  auto logger = util::NamedLogger(kWatchdogLogger);
  const auto interval = std::chrono::duration<double>(options_.check_interval_seconds);
  bool accepting = true;  // Start() saw the first run accept connections
  std::unique_lock lock(mutex_);
  while (!stop_requested_) {
    wake_.wait_for(lock, interval, [this] { return stop_requested_; });
    if (stop_requested_)
      break;
    ChildProcess* child = child_.get();
    lock.unlock();

    std::optional<ExitStatus> exit = child ? child->Poll() : std::nullopt;
    if (child && !exit) {
      if (!accepting && AcceptsConnections(options_.port)) {
        accepting = true;
        backoff_.MarkStarted();  // healthy: a run from now on can reset the schedule
        logger->info("RTMP server accepting connections again on port {} (nginx pid {})",
                     options_.port, child->pid());
      }
      lock.lock();
      continue;
    }

    double delay = backoff_.NextDelay();
    if (child) {
      child->WaitStderrClosed(0.5);
      logger->error("RTMP server (nginx pid {}) exited unexpectedly ({}). Restarting in {:.1f} s.",
                    child->pid(), exit->ToString(), delay);
      if (!child->StderrLines().empty()) {
        logger->error("The following nginx logs include the last lines prior to exit.");
        child->LogStderr();
      }
    }
    lock.lock();
    child_.reset();
    status_.running = false;
    status_.pid = 0;
    status_.last_restart_delay = delay;
    if (wake_.wait_for(lock, std::chrono::duration<double>(delay),
                       [this] { return stop_requested_; }))
      break;
    lock.unlock();

    accepting = false;
    std::optional<std::string> error = CheckPortFree(options_.port);
    if (!error)
      error = Launch();
    lock.lock();
    ++status_.restarts;
    if (error) {
      // Tried again after the next delay: child_ stays empty, so the loop counts a failure.
      logger->error("Cannot restart the RTMP server: {}", *error);
      continue;
    }
    backoff_.MarkStarted();
    logger->info("RTMP server restarted, nginx pid {}", status_.pid);
  }
}

}  // namespace corvette::video
