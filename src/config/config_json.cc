#include "config/config_json.h"

namespace corvette::config {

nlohmann::json ToJson(const Config&) {
  return nlohmann::json::object();
}

}  // namespace corvette::config
