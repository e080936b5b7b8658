#include "http/log.h"

namespace corvette::http {

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("corvette.http")) {
      return existing;
    }
    auto created = spdlog::default_logger()->clone("corvette.http");
    try {
      spdlog::initialize_logger(created);
    } catch (const spdlog::spdlog_ex&) {
      // Registered concurrently by someone else under the same name: use theirs.
      if (auto existing = spdlog::get("corvette.http"))
        return existing;
    }
    return created;
  }();
  return *logger;
}

}  // namespace corvette::http
