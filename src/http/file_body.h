#pragma once

// A response body read from a file (static /clips and /recordings): an open descriptor and the
// byte range to send, written to the socket in 64 KiB chunks, so a large recording is never read
// whole into memory and a slow client holds one chunk.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "http/beast.h"

namespace corvette::http {

class FileBody {
 public:
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  // Takes ownership of `fd` (closed when the last owner lets go). [offset, offset + length) must
  // lie within the file as it was when opened.
  FileBody(int fd, std::uint64_t offset, std::uint64_t length)
      : fd_(fd), offset_(offset), length_(length) {}
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;

  int fd() const { return fd_; }
  std::uint64_t offset() const { return offset_; }
  std::uint64_t length() const { return length_; }

 private:
  int fd_;
  std::uint64_t offset_;
  std::uint64_t length_;
};

// Writes the body's bytes to `stream`, one chunk at a time (pread, then an async write with
// `write_timeout` set on the stream before each chunk), then calls `done` with the first error
// (a failed or short read of the file is reported as boost::asio::error::eof). Must be called on
// the stream's executor (strand); `stream` must stay alive until `done` runs (capture its owner in
// `done`).
void AsyncSendFileBody(boost::beast::tcp_stream& stream, std::shared_ptr<const FileBody> body,
                       std::chrono::steady_clock::duration write_timeout,
                       std::function<void(boost::beast::error_code)> done);

}  // namespace corvette::http
