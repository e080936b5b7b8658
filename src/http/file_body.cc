#include "http/file_body.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace corvette::http {
namespace {

namespace net = boost::asio;

class FileSend : public std::enable_shared_from_this<FileSend> {
 public:
  FileSend(boost::beast::tcp_stream& stream, std::shared_ptr<const FileBody> body,
           std::chrono::steady_clock::duration write_timeout,
           std::function<void(boost::beast::error_code)> done)
      : stream_(stream),
        body_(std::move(body)),
        write_timeout_(write_timeout),
        done_(std::move(done)),
        position_(body_->offset()),
        remaining_(body_->length()),
        chunk_(
            static_cast<std::size_t>(std::min<std::uint64_t>(FileBody::kChunkBytes, remaining_))) {}

  void Next() {
    if (remaining_ == 0) {
      done_({});
      return;
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_.size(), remaining_));
    ssize_t n;
    do {
      n = ::pread(body_->fd(), chunk_.data(), want, static_cast<off_t>(position_));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      // The file shrank or cannot be read: the promised Content-Length cannot be kept.
      done_(net::error::eof);
      return;
    }
    stream_.expires_after(write_timeout_);
    net::async_write(stream_, net::buffer(chunk_.data(), static_cast<std::size_t>(n)),
                     [self = shared_from_this()](boost::beast::error_code ec, std::size_t written) {
                       if (ec) {
                         self->done_(ec);
                         return;
                       }
                       self->position_ += written;
                       self->remaining_ -= written;
                       self->Next();
                     });
  }

 private:
  boost::beast::tcp_stream& stream_;
  std::shared_ptr<const FileBody> body_;
  std::chrono::steady_clock::duration write_timeout_;
  std::function<void(boost::beast::error_code)> done_;
  std::uint64_t position_;
  std::uint64_t remaining_;
  std::vector<char> chunk_;
};

}  // namespace

FileBody::~FileBody() {
  if (fd_ >= 0)
    ::close(fd_);
}

void AsyncSendFileBody(boost::beast::tcp_stream& stream, std::shared_ptr<const FileBody> body,
                       std::chrono::steady_clock::duration write_timeout,
                       std::function<void(boost::beast::error_code)> done) {
  std::make_shared<FileSend>(stream, std::move(body), write_timeout, std::move(done))->Next();
}

}  // namespace corvette::http
