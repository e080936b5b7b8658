// corvette's command line: loads the config, starts the App, waits for SIGTERM/SIGINT.

#include <pthread.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <thread>

#include "app/app.h"
#include "app/logging.h"
#include "config/config.h"
#include "version.h"

namespace {

// How long an orderly shutdown may take before the process exits anyway.
constexpr int kShutdownLimitSeconds = 4;

std::string DefaultConfigPath() {
  const char* from_env = std::getenv("CONFIG_FILE");
  return from_env != nullptr && *from_env != '\0' ? from_env : "/config/config.yml";
}

// Loads and validates; prints every error to stderr. nullopt when the config cannot be used.
std::optional<corvette::config::LoadResult> Load(const std::string& path) {
  corvette::config::LoadResult result =
      corvette::config::LoadConfigFile(path, corvette::config::ProcessEnvironment());
  if (!result.errors.empty() || !result.config) {
    std::fprintf(stderr, "Error parsing config: %s\n", path.c_str());
    for (const std::string& error : result.errors) {
      std::fprintf(stderr, "%s\n", error.c_str());
    }
    return std::nullopt;
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "corvette: a network video recorder with object detection, compatible with "
      "Frigate 0.8"};
  std::string config_path = DefaultConfigPath();
  bool check_config = false;
  bool show_version = false;
  cli.add_option("-c,--config", config_path,
                 "config file (.yml, .yaml or .json); default: $CONFIG_FILE, then "
                 "/config/config.yml");
  cli.add_flag("--check-config", check_config,
               "validate the config, print every problem and exit (0 valid, 1 invalid)");
  cli.add_flag("--version", show_version, "print the version and exit");
  CLI11_PARSE(cli, argc, argv);

  if (show_version) {
    std::printf("corvette %s\n", corvette::kVersion);
    return 0;
  }

  corvette::app::SetUpLogging();
  std::optional<corvette::config::LoadResult> loaded = Load(config_path);
  if (!loaded)
    return 1;
  if (check_config) {
    for (const std::string& warning : loaded->warnings) {
      std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }
    std::printf("Config is valid: %s\n", config_path.c_str());
    return 0;
  }
  corvette::app::ApplyLoggerConfig(loaded->config->logger);

  // SIGTERM and SIGINT are taken by sigwait below, so every thread must have them blocked:
  // block them before any thread starts (threads inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  corvette::app::App app(std::move(*loaded->config), std::move(loaded->warnings));
  if (std::optional<std::string> error = app.Start()) {
    std::fprintf(stderr, "corvette could not start: %s\n", error->c_str());
    return 1;
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  corvette::app::Log().info("received {}, shutting down", strsignal(signal_number));

  // A second signal, or a shutdown that hangs, ends the process without waiting further. The
  // watchdog is joined before logging shuts down: it never outlives what it logs with (a detached
  // one used the freed logger at exit, found by AddressSanitizer; sigtimedwait's EINTR then looked
  // like the limit).
  std::atomic<bool> stopped{false};
  std::thread watchdog([&stop_signals, &stopped] {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(kShutdownLimitSeconds);
    while (!stopped.load()) {
      const char* why = nullptr;
      if (std::chrono::steady_clock::now() >= deadline) {
        why = "shutdown is taking too long: exiting now";
      } else {
        timespec slice{0, 100'000'000};  // then look at `stopped` again; -1 is a timeout or EINTR
        if (sigtimedwait(&stop_signals, nullptr, &slice) > 0)
          why = "second signal: exiting now";
      }
      if (why != nullptr) {
        corvette::app::Log().error(why);
        spdlog::default_logger()->flush();
        std::_Exit(1);
      }
    }
  });

  app.Stop();
  stopped.store(true);
  watchdog.join();
  spdlog::shutdown();
  return 0;
}
