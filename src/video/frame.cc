#include "video/frame.h"

#include <cstdlib>
#include <new>
#include <stdexcept>

namespace corvette::video {

size_t I420Size(int width, int height) {
  size_t w = static_cast<size_t>(width);
  size_t h = static_cast<size_t>(height);
  return w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
}

void Frame::AlignedFree::operator()(uint8_t* p) const {
  std::free(p);
}

Frame::Frame(int width, int height)
    : width_(width), height_(height), size_(I420Size(width, height)) {
  if (width <= 0 || height <= 0) {
    throw std::invalid_argument("Frame: width and height must be positive");
  }
  constexpr size_t kAlign = 64;
  size_t rounded = (size_ + kAlign - 1) / kAlign * kAlign;
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(kAlign, rounded));
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  data_.reset(p);
}

}  // namespace corvette::video
