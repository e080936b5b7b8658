#include "app/camera_factory.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace corvette::app {

cv::Mat RasterizeMask(const config::Mask& mask, int width, int height) {
  if (mask.empty())
    return {};
  cv::Mat image(height, width, CV_8UC1, cv::Scalar(255));
  std::vector<std::vector<cv::Point>> polygons;
  polygons.reserve(mask.size());
  for (const config::Polygon& polygon : mask) {
    std::vector<cv::Point>& points = polygons.emplace_back();
    for (const config::Point& p : polygon)
      points.emplace_back(p.x, p.y);
  }
  cv::fillPoly(image, polygons, cv::Scalar(0));
  return image;
}

camera::CameraOptions CameraOptionsFor(const config::Config& config,
                                       const config::CameraConfig& camera,
                                       const config::FfmpegCommandOptions& ffmpeg_options) {
  camera::CameraOptions options;
  options.name = camera.name;
  options.width = camera.width;
  options.height = camera.height;

  options.motion.threshold = camera.motion.threshold;
  options.motion.contour_area = camera.motion.contour_area;
  options.motion.delta_alpha = camera.motion.delta_alpha;
  options.motion.frame_alpha = camera.motion.frame_alpha;
  options.motion.frame_height = camera.motion.frame_height;
  options.motion_mask = RasterizeMask(camera.motion.mask, camera.width, camera.height);

  for (const config::ZoneConfig& zone : camera.zones) {
    camera::ZoneView& view = options.zones.emplace_back();
    view.name = zone.name;
    for (const config::Point& p : zone.polygon)
      view.polygon.emplace_back(p.x, p.y);
  }
  options.detect_enabled = camera.detect.enabled;

  for (const config::FfmpegCommand& command :
       config::FfmpegCommandsFor(config, camera, ffmpeg_options)) {
    video::FfmpegCommand& capture = options.capture.commands.emplace_back();
    for (config::Role role : command.roles)
      capture.roles.emplace_back(config::RoleName(role));
    capture.argv = command.argv;
  }
  return options;
}

detect::DetectorPoolOptions DetectorPoolOptionsFor(const config::Config& config) {
  detect::DetectorPoolOptions options;
  options.model_path = config.model.path;
  options.labelmap_path = config.model.labelmap_path;
  options.model_size = config.model.width;
  for (const config::DetectorConfig& detector : config.detectors) {
    options.detectors.push_back({detector.name, std::max(1, detector.num_threads)});
  }
  float lowest = options.score_threshold;
  for (const config::CameraConfig& camera : config.cameras) {
    for (const auto& [label, filter] : camera.objects.filters) {
      lowest = std::min(lowest, static_cast<float>(filter.min_score));
    }
  }
  options.score_threshold = std::max(0.05f, lowest);
  return options;
}

std::shared_ptr<const detect::ObjectFilter> ObjectFilterFor(const config::CameraConfig& camera) {
  std::map<std::string, detect::LabelFilter> filters;
  for (const auto& [label, filter] : camera.objects.filters) {
    detect::LabelFilter& f = filters[label];
    f.min_area = filter.min_area;
    f.max_area = filter.max_area;
    f.min_score = static_cast<float>(filter.min_score);
    f.mask = RasterizeMask(filter.mask, camera.width, camera.height);
  }
  return std::make_shared<const detect::ObjectFilter>(
      camera.objects.track, std::move(filters),
      RasterizeMask(camera.objects.mask, camera.width, camera.height));
}

}  // namespace corvette::app
