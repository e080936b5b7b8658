#include "http/log.h"

#include "util/named_logger.h"

namespace corvette::http {

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> logger = util::NamedLogger("corvette.http");
  return *logger;
}

}  // namespace corvette::http
