#include "storage/media_probe.h"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}

#include <mutex>

namespace corvette::storage {

std::optional<double> ProbeDurationSeconds(const std::string& path) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { av_log_set_level(AV_LOG_QUIET); });

  AVFormatContext* context = nullptr;
  if (avformat_open_input(&context, path.c_str(), nullptr, nullptr) < 0)
    return std::nullopt;
  std::optional<double> duration;
  if (context->duration == AV_NOPTS_VALUE || context->duration <= 0) {
    if (avformat_find_stream_info(context, nullptr) < 0)
      context->duration = AV_NOPTS_VALUE;
  }
  if (context->duration != AV_NOPTS_VALUE && context->duration > 0)
    duration = static_cast<double>(context->duration) / AV_TIME_BASE;
  avformat_close_input(&context);
  return duration;
}

}  // namespace corvette::storage
