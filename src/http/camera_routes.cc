#include "http/camera_routes.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "http/query.h"
#include "http/response.h"

namespace corvette::http {
namespace {

constexpr int kMjpegDefaultFps = 3;
constexpr int kMjpegDefaultHeight = 360;
constexpr int kMaxFps = 30;
constexpr int kMaxHeightFactor = 4;

std::shared_ptr<camera::Camera> FindCamera(const CameraMap& cameras, const std::string& name) {
  auto it = cameras.find(name);
  if (it == cameras.end()) {
    throw HttpError(404, "Camera named " + name + " not found");
  }
  return it->second;
}

image::RenderOptions LiveOptions(const Request& request, const camera::Camera& camera,
                                 int default_height) {
  image::RenderOptions options;
  long long max_height = static_cast<long long>(camera.height()) * kMaxHeightFactor;
  options.height =
      static_cast<int>(request.query.GetInt("h", 1, max_height).value_or(default_height));
  if (options.height == camera.height())
    options.height = 0;  // one cache key for "full size"
  options.layers.bbox = request.query.GetFlag("bbox");
  options.layers.timestamp = request.query.GetFlag("timestamp");
  options.layers.zones = request.query.GetFlag("zones");
  options.layers.mask = request.query.GetFlag("mask");
  options.layers.motion = request.query.GetFlag("motion");
  options.layers.regions = request.query.GetFlag("regions");
  return options;
}

// What an MJPEG stream's parts depend on: viewers with equal keys share one broadcast (one timer,
// one JPEG lookup per part, one framed buffer), see http/multipart_broadcast.h.
std::string MjpegStreamKey(const camera::Camera& camera, const image::RenderOptions& options,
                           int fps) {
  const image::OverlayLayers& l = options.layers;
  return fmt::format("{}?h={}&fps={}&layers={:d}{:d}{:d}{:d}{:d}{:d}", camera.name(),
                     options.height, fps, l.bbox, l.timestamp, l.zones, l.mask, l.motion,
                     l.regions);
}

}  // namespace

void AddCameraRoutes(Router& router, std::shared_ptr<const CameraMap> cameras) {
  router.Get("/api/<camera>/latest.jpg", [cameras](const Request& request) {
    auto camera = FindCamera(*cameras, request.Param("camera"));
    image::RenderOptions options = LiveOptions(request, *camera, camera->height());
    return Response::Bytes("image/jpg", camera->LiveJpeg(options));
  });

  router.Get("/api/<camera>", [cameras](const Request& request) {
    auto camera = FindCamera(*cameras, request.Param("camera"));
    int fps = static_cast<int>(request.query.GetInt("fps", 1, kMaxFps).value_or(kMjpegDefaultFps));
    image::RenderOptions options = LiveOptions(request, *camera, kMjpegDefaultHeight);
    MultipartStream stream;
    stream.boundary = "frame";
    stream.part_content_type = "image/jpeg";
    stream.interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / fps));
    double max_age = 1.0 / fps;
    stream.next_part = [camera, options, max_age] { return camera->LiveJpeg(options, max_age); };
    stream.shared_key = MjpegStreamKey(*camera, options, fps);
    return Response::Stream(std::move(stream));
  });
}

}  // namespace corvette::http
