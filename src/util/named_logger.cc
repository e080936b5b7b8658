#include "util/named_logger.h"

#include <spdlog/spdlog.h>

namespace corvette::util {

std::shared_ptr<spdlog::logger> NamedLogger(const std::string& name) {
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  auto logger = spdlog::default_logger()->clone(name);
  try {
    spdlog::initialize_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered the same name first; use that one.
    if (auto existing = spdlog::get(name)) {
      return existing;
    }
  }
  return logger;
}

}  // namespace corvette::util
