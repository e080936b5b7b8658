#include "app/camera_factory.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "image/overlay.h"

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
    capture.input_argv = command.input_argv;
    for (const config::FfmpegOutput& output : command.outputs)
      capture.outputs.emplace_back(config::RoleName(output.role), output.args);
  }
  return options;
}

detect::DetectorPoolOptions DetectorPoolOptionsFor(const config::Config& config) {
  detect::DetectorPoolOptions options;
  options.model_path = config.model.path;
  options.labelmap_path = config.model.labelmap_path;
  options.model_size = config.model.width;
  for (const config::DetectorConfig& detector : config.detectors) {
    // The config loader accepts only these runtime and precision names.
    options.detectors.push_back(
        {detector.name, std::max(1, detector.num_threads),
         detect::ParseRuntime(detector.runtime).value_or(detect::Runtime::kAuto),
         detect::ParsePrecision(detector.precision).value_or(detect::Precision::kFloat32)});
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

events::EventProcessorOptions EventProcessorOptionsFor(const config::Config& config,
                                                       const config::CameraConfig& camera,
                                                       const detect::Labelmap* labelmap) {
  events::EventProcessorOptions options;
  options.camera = camera.name;
  options.frame_width = camera.width;
  options.frame_height = camera.height;
  for (const config::ZoneConfig& zone : camera.zones) {
    track::Zone& z = options.zones.emplace_back();
    z.name = zone.name;
    for (const config::Point& p : zone.polygon)
      z.polygon.push_back({p.x, p.y});
    for (const auto& [label, filter] : zone.filters) {
      z.filters[label] = {filter.min_area, filter.max_area, filter.threshold};
    }
  }
  for (const auto& [label, filter] : camera.objects.filters) {
    options.thresholds[label] = filter.threshold;
  }
  options.best_image_timeout = camera.best_image_timeout;

  options.snapshots.enabled = camera.snapshots.enabled;
  options.snapshots.render.timestamp = camera.snapshots.timestamp;
  options.snapshots.render.bounding_box = camera.snapshots.bounding_box;
  options.snapshots.render.crop = camera.snapshots.crop;
  options.snapshots.render.height = camera.snapshots.height.value_or(0);
  options.snapshots.required_zones = camera.snapshots.required_zones;

  options.mqtt.enabled = camera.mqtt.enabled;
  options.mqtt.render.timestamp = camera.mqtt.timestamp;
  options.mqtt.render.bounding_box = camera.mqtt.bounding_box;
  options.mqtt.render.crop = camera.mqtt.crop;
  options.mqtt.render.height = camera.mqtt.height;
  options.mqtt.required_zones = camera.mqtt.required_zones;

  options.clips.enabled = camera.clips.enabled;
  options.clips.objects = camera.clips.objects;
  options.clips.required_zones = camera.clips.required_zones;
  options.clips_dir = config.storage.clips;

  std::map<std::string, int> class_ids;
  int classes = 0;
  if (labelmap != nullptr) {
    classes = labelmap->size();
    for (int id = classes - 1; id >= 0; --id) {
      if (labelmap->Has(id))
        class_ids[labelmap->Label(id)] = id;
    }
  }
  options.label_colour = [class_ids = std::move(class_ids), classes](const std::string& label) {
    auto it = class_ids.find(label);
    return image::Tab10Colour(it == class_ids.end() ? 0 : it->second, classes);
  };
  return options;
}

}  // namespace corvette::app
