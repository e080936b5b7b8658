#pragma once

#include <opencv2/core.hpp>

#include "camera/camera.h"
#include "config/config.h"
#include "config/ffmpeg_command.h"

namespace corvette::app {

// A mask as an image (spec 2.6): width x height 8-bit, 255 everywhere except inside the polygons,
// which are 0. An empty mask gives an empty Mat (nothing masked).
cv::Mat RasterizeMask(const config::Mask& mask, int width, int height);

// The options of the running camera `camera` of `config`: capture commands (spec 2.8; the rtmp
// output left out unless `ffmpeg_options` says otherwise), motion settings and mask, zones.
camera::CameraOptions CameraOptionsFor(const config::Config& config,
                                       const config::CameraConfig& camera,
                                       const config::FfmpegCommandOptions& ffmpeg_options);

}  // namespace corvette::app
