#include "app/camera_factory.h"

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

}  // namespace corvette::app
