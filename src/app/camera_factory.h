#pragma once

#include <opencv2/core.hpp>

#include "camera/camera.h"
#include "config/config.h"
#include "config/ffmpeg_command.h"
#include "detect/detector_pool.h"
#include "detect/object_filter.h"
#include "events/event_processor.h"

namespace corvette::app {

// A mask as an image (spec 2.6): width x height 8-bit, 255 everywhere except inside the polygons,
// which are 0. An empty mask gives an empty Mat (nothing masked).
cv::Mat RasterizeMask(const config::Mask& mask, int width, int height);

// The options of the running camera `camera` of `config`: capture commands (spec 2.8; the rtmp
// output left out unless `ffmpeg_options` says otherwise), motion settings and mask, zones.
camera::CameraOptions CameraOptionsFor(const config::Config& config,
                                       const config::CameraConfig& camera,
                                       const config::FfmpegCommandOptions& ffmpeg_options);

// The detector pool of `config`: model and labelmap (config.model, else the built-in ones), one CPU
// worker per `detectors` entry on its `runtime` (edgetpu entries run on the CPU here), and a raw
// score threshold low enough for the lowest min_score of any camera (0.8 discards under 0.4
// whatever the filters say).
detect::DetectorPoolOptions DetectorPoolOptionsFor(const config::Config& config);

// The camera's `objects` section as the detector's filter: track list, per-label filters with
// their masks, and the camera's object mask.
std::shared_ptr<const detect::ObjectFilter> ObjectFilterFor(const config::CameraConfig& camera);

// The event processor options of `camera`: zones and their filters, thresholds, snapshot, mqtt and
// clips settings, snapshot files in config.storage.clips. `labelmap` (may be null) gives labels
// their class colours as the live view draws them.
events::EventProcessorOptions EventProcessorOptionsFor(const config::Config& config,
                                                       const config::CameraConfig& camera,
                                                       const detect::Labelmap* labelmap);

}  // namespace corvette::app
