#pragma once

// The RTMP restream server (spec 2.8, 9.3): nginx with Debian's RTMP module as a supervised child
// process, so that cameras whose input has the rtmp role can be played at
// rtmp://<host>:<port>/live/<camera>.

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "util/clock.h"
#include "video/backoff.h"

namespace corvette::video {

class ChildProcess;

struct RtmpServerOptions {
  int port = 1935;  // listened on all IPv4 addresses
  // Folder of the server's own files (nginx.conf, pid and lock files), e.g. <storage.cache>/rtmp.
  // Created if missing; the config is rewritten at every Start().
  std::string folder;
  // "nginx" is looked up in PATH, then /usr/sbin and /sbin (PATH often lacks them for other users
  // than root); a name with a '/' is used as is.
  std::string nginx = "nginx";
  std::string module_path = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
  // Start() waits this long for a started nginx to accept connections.
  double ready_timeout_seconds = 10.0;
  // How often the process is checked for death and, after a restart, for readiness.
  double check_interval_seconds = 0.25;
  // At Stop(): SIGTERM, SIGKILL after this long.
  double stop_grace_seconds = 2.0;
  BackoffOptions
      backoff;  // the cameras' schedule: 1 s doubling to 30 s, jitter, reset when healthy
  // Time for the backoff; null = util::SystemClock. Must outlive the server.
  const util::Clock* clock = nullptr;
};

// What goes into the generated nginx.conf.
struct RtmpNginxConfigOptions {
  int port = 1935;
  std::string folder;       // absolute; pid and lock files go here
  std::string module_path;  // absolute path of ngx_rtmp_module.so
  // The `user` directive (user and group names), for a server started as root: its worker then
  // runs unprivileged. Empty: no directive (nginx ignores it unless run as root).
  std::string user;
};

// The nginx configuration: RTMP module loaded, no daemon, one unprivileged worker, errors to stderr
// (warn and up), no HTTP server; application `live` with publishing allowed from 127.0.0.1 only
// and playing allowed to anyone, nothing recorded.
std::string RtmpNginxConfig(const RtmpNginxConfigOptions& options);

// nullopt when a TCP socket can be bound to 0.0.0.0:`port` (SO_REUSEADDR, as nginx binds), else why
// not ("port 1935 is in use", "port 80 cannot be bound: Permission denied").
std::optional<std::string> CheckPortFree(int port);

// True when something accepts TCP connections on 127.0.0.1:`port` (tried once, briefly).
bool AcceptsConnections(int port);

// Runs and supervises nginx as the RTMP server. Start() checks what it needs (nginx, the module,
// the port), writes the config and starts nginx, then returns once the server accepts connections.
// If anything is missing it logs ONE error ("RTMP restream disabled: port 1935 is in use",
// "RTMP restream disabled: nginx with the RTMP module is not installed (...)") and returns it: the
// caller then leaves the rtmp outputs out of the ffmpeg commands (FfmpegCommandOptions{
// .include_rtmp = false}) and everything else runs as usual.
//
// Once started, a thread restarts nginx whenever it dies, after delays from a Backoff (as cameras);
// the dead server's last stderr lines are logged under "nginx.rtmp", the supervisor's messages
// under "watchdog.rtmp". Publishers (camera ffmpegs) reconnect on their own: see the rtmp output
// in config/ffmpeg_command.h. All public methods are thread-safe.
class RtmpServer {
 public:
  struct Status {
    bool running = false;           // nginx runs now (it may not accept connections yet)
    pid_t pid = 0;                  // nginx master's pid; 0 when none runs
    uint64_t restarts = 0;          // starts after the first
    double last_restart_delay = 0;  // seconds, the most recent backoff delay chosen
  };

  explicit RtmpServer(RtmpServerOptions options);
  ~RtmpServer();  // Stop()s
  RtmpServer(const RtmpServer&) = delete;
  RtmpServer& operator=(const RtmpServer&) = delete;

  // Call once. nullopt on success (nginx accepts connections and is supervised from now on);
  // otherwise the error, already logged, and nothing is left running. An nginx left running on the
  // port by an earlier process that died (the pid file in `folder` names a live nginx started with
  // this config) is stopped first. Must not run concurrently with Stop().
  std::optional<std::string> Start();
  // Terminates nginx (SIGTERM, then SIGKILL after stop_grace_seconds) and joins the supervising
  // thread. Idempotent.
  void Stop();

  int port() const { return options_.port; }
  // rtmp://127.0.0.1:<port>/live/<name>: where a camera publishes and a local client plays.
  std::string LocalUrl(const std::string& name) const;
  // The generated config file (valid after Start()).
  std::string config_path() const;
  Status status() const;

 private:
  std::optional<std::string> Prepare();
  // Starts nginx; sets child_ or returns why it could not.
  std::optional<std::string> Launch();
  void Supervise();

  const RtmpServerOptions options_;
  const util::Clock& clock_;
  Backoff backoff_;  // supervising thread only (and Start() before it runs)
  std::string nginx_path_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  bool started_ = false;
  std::unique_ptr<ChildProcess> child_;  // guarded by mutex_; replaced only by Launch()
  Status status_;
  std::thread thread_;
};

}  // namespace corvette::video
