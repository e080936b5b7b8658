#include "http/event_routes.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "events/base64.h"
#include "http/query.h"
#include "http/response.h"
#include "image/render.h"
#include "storage/media_layout.h"

namespace corvette::http {
namespace {

constexpr int kMaxHeightFactor = 4;  // h above 4x the frame height is refused, as live views
constexpr std::string_view kJpegType = "image/jpg";  // 0.8's content type

std::optional<bool> GetBool(const QueryParams& query, std::string_view name) {
  std::optional<long long> value = query.GetInt(name, 0, 1);
  if (!value)
    return std::nullopt;
  return *value != 0;
}

storage::EventFilter ParseFilter(const QueryParams& query) {
  storage::EventFilter filter;
  filter.before = query.GetNumber("before");
  filter.after = query.GetNumber("after");
  filter.camera = query.GetFilter("camera");
  filter.label = query.GetFilter("label");
  filter.zone = query.GetFilter("zone");
  filter.has_clip = GetBool(query, "has_clip");
  filter.has_snapshot = GetBool(query, "has_snapshot");
  filter.include_thumbnails = GetBool(query, "include_thumbnails").value_or(true);
  filter.limit = static_cast<int>(
      query.GetInt("limit", 0, storage::EventFilter::kMaxLimit).value_or(filter.kDefaultLimit));
  return filter;
}

Response Jpeg(std::string bytes) {
  return Response::Bytes(std::string(kJpegType),
                         std::make_shared<const std::string>(std::move(bytes)));
}

std::optional<events::LiveEvent> FindLive(const EventProcessorMap* processors,
                                          const std::string& id) {
  if (processors == nullptr)
    return std::nullopt;
  for (const auto& [name, processor] : *processors) {
    if (auto live = processor->FindLive(id))
      return live;
  }
  return std::nullopt;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return std::move(out).str();
}

}  // namespace

void AddEventRoutes(Router& router, EventRoutesOptions options) {
  auto context = std::make_shared<const EventRoutesOptions>(std::move(options));

  router.Get("/api/events", [context](const Request& request) {
    storage::EventFilter filter = ParseFilter(request.query);
    Response response;
    response.content_type = std::string(kJsonContentType);
    response.shared_body = context->store->EventsJson(filter);
    return response;
  });

  router.Get("/api/events/summary", [context](const Request& request) {
    std::optional<bool> has_clip = GetBool(request.query, "has_clip");
    std::optional<bool> has_snapshot = GetBool(request.query, "has_snapshot");
    Response response;
    response.content_type = std::string(kJsonContentType);
    response.shared_body = context->store->SummaryJson(has_clip, has_snapshot);
    return response;
  });

  router.Get("/api/events/<id>", [context](const Request& request) {
    std::optional<storage::EventRecord> event = context->store->Get(request.Param("id"));
    if (!event)
      throw HttpError(404, "Event not found");
    return Response::Json(storage::EventToJson(*event));
  });

  router.Get("/api/events/<id>/thumbnail.jpg", [context](const Request& request) {
    const std::string& id = request.Param("id");
    std::string jpeg;
    if (std::optional<storage::EventRecord> event = context->store->Get(id)) {
      std::optional<std::string> decoded = events::Base64Decode(event->thumbnail);
      jpeg = decoded && !decoded->empty() ? std::move(*decoded) : image::BlackJpeg(175, 175);
    } else if (auto live = FindLive(context->processors.get(), id)) {
      jpeg = events::EventProcessor::RenderThumbnail(*live);
    } else {
      throw HttpError(404, "Event not found");
    }
    std::optional<std::string> format = request.query.GetString("format");
    if (format && *format == "android") {
      try {
        jpeg = image::AndroidThumbnail(jpeg);
      } catch (const image::JpegError&) {
        throw HttpError(404, "Event not found");  // a stored thumbnail that is not a JPEG
      }
    }
    return Jpeg(std::move(jpeg));
  });

  router.Get("/api/events/<id>/snapshot.jpg", [context](const Request& request) {
    const std::string& id = request.Param("id");
    // In progress (or ending, until its final row is stored): rendered with the query's options.
    if (auto live = FindLive(context->processors.get(), id); live && !live->false_positive) {
      if (!live->frame)  // no thumbnail yet: nothing to render, whatever the options
        throw HttpError(404, "Snapshot not available");
      image::SnapshotOptions options;
      const long long max_height = live->frame->height() * static_cast<long long>(kMaxHeightFactor);
      options.height = static_cast<int>(request.query.GetInt("h", 1, max_height).value_or(0));
      options.bounding_box = request.query.GetFlag("bbox");
      options.timestamp = request.query.GetFlag("timestamp");
      options.crop = request.query.GetFlag("crop");
      std::optional<std::string> jpeg = events::EventProcessor::RenderSnapshot(*live, options);
      if (!jpeg)
        throw HttpError(404, "Snapshot not available");
      return Jpeg(std::move(*jpeg));
    }
    std::optional<storage::EventRecord> event = context->store->Get(id);
    if (!event)
      throw HttpError(404, "Event not found");
    if (!event->has_snapshot)
      throw HttpError(404, "Snapshot not available");
    std::optional<std::string> file =
        ReadFile(storage::EventSnapshotPath(context->clips_dir, event->camera, event->id));
    if (!file)
      throw HttpError(404, "Event not found");
    return Jpeg(std::move(*file));
  });

  router.Get("/api/<camera>/<label>/best.jpg", [context](const Request& request) {
    const std::string& camera = request.Param("camera");
    const events::EventProcessor* processor = nullptr;
    if (context->processors) {
      auto it = context->processors->find(camera);
      if (it != context->processors->end())
        processor = it->second.get();
    }
    if (processor == nullptr)
      throw HttpError(404, "Camera named " + camera + " not found");
    const int frame_height = processor->options().frame_height;
    long long max_height = std::max(frame_height, 1) * static_cast<long long>(kMaxHeightFactor);
    std::optional<long long> h = request.query.GetInt("h", 1, max_height);
    const bool crop = request.query.GetFlag("crop");
    std::optional<events::LiveBest> best = processor->Best(request.Param("label"));
    if (!best || !best->frame) {
      // 0.8: a black 1280x720 image (its 300x300 corner with crop), resized to h.
      const int base_width = crop ? 300 : 1280;
      const int base_height = crop ? 300 : 720;
      int height = static_cast<int>(h.value_or(base_height));
      int width = std::max(2, height * base_width / base_height);
      return Jpeg(image::BlackJpeg(width, height));
    }
    image::SnapshotOptions options;
    options.crop = crop;
    options.height = static_cast<int>(h.value_or(0));
    return Jpeg(image::RenderSnapshotJpeg(
        image::I420View::Packed(best->frame->data(), best->frame->width(), best->frame->height()),
        best->object, options));
  });
}

}  // namespace corvette::http
