#include "image/render.h"

#include <opencv2/imgproc.hpp>

namespace corvette::image {

std::string RenderFrameJpeg(const I420View& frame, const RenderOptions& options,
                            const OverlayData& overlay, int quality) {
  const int height = options.height > 0 ? options.height : frame.height;
  const bool resize = height != frame.height;
  thread_local I420Image resized;
  thread_local cv::Mat bgr;
  I420View source = frame;
  if (resize) {
    ResizeI420(frame, height, &resized);
    source = resized.view();
  }
  if (!options.layers.any()) {
    if (resize) {
      // The resized copy is ours: map its range in place rather than in another copy.
      LimitedToFullRange(&resized);
      return EncodeI420(resized.view(), quality, YuvRange::kFull);
    }
    return EncodeI420(source, quality);
  }
  I420ToBgr(source, &bgr);
  const double scale = static_cast<double>(height) / frame.height;
  DrawOverlays(bgr, overlay, options.layers, scale);
  return EncodeBgr(bgr, quality);
}

cv::Mat RenderSnapshot(const I420View& frame, const SnapshotObject& object,
                       const SnapshotOptions& options) {
  cv::Mat bgr;
  I420ToBgr(frame, &bgr);
  if (options.bounding_box) {
    DrawBoxWithLabel(bgr, object.box, object.label, ObjectInfo(object.score, object.area),
                     object.colour, 2);
  }
  if (options.crop) {
    const Box region = ClipToFrame(CalculateRegion(frame.width, frame.height, object.box, 1.1),
                                   bgr.cols, bgr.rows);
    bgr = bgr(cv::Rect(region.x1, region.y1, region.width(), region.height()));
  }
  if (options.height > 0 && !bgr.empty()) {
    const int width = static_cast<int>(static_cast<double>(options.height) * bgr.cols / bgr.rows);
    cv::Mat resized;
    cv::resize(bgr, resized, cv::Size(std::max(1, width), options.height), 0, 0, cv::INTER_AREA);
    bgr = resized;
  }
  if (options.timestamp) {
    DrawSnapshotTimestamp(bgr, object.frame_time);
  }
  return bgr;
}

std::string RenderSnapshotJpeg(const I420View& frame, const SnapshotObject& object,
                               const SnapshotOptions& options) {
  return EncodeBgr(RenderSnapshot(frame, object, options), kJpegQuality);
}

std::string RenderThumbnailJpeg(const I420View* frame, const SnapshotObject& object) {
  if (frame == nullptr) {
    return BlackJpeg(175, 175);
  }
  SnapshotOptions options;
  options.crop = true;
  options.height = 175;
  return RenderSnapshotJpeg(*frame, object, options);
}

std::string BlackJpeg(int width, int height) {
  return EncodeBgr(cv::Mat::zeros(height, width, CV_8UC3), kJpegQuality);
}

std::string AndroidThumbnail(std::string_view jpeg) {
  const cv::Mat image = DecodeToBgr(jpeg);
  const int border = static_cast<int>(image.cols * 0.5);
  cv::Mat bordered;
  cv::copyMakeBorder(image, bordered, 0, 0, border, border, cv::BORDER_CONSTANT,
                     cv::Scalar(0, 0, 0));
  return EncodeBgr(bordered, kJpegQuality);
}

}  // namespace corvette::image
