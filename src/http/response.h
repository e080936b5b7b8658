#pragma once

// What a handler answers: a complete body (owned or shared bytes) or an endless multipart stream.

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corvette::http {

class FileBody;  // http/file_body.h

inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";
inline constexpr std::string_view kJsonContentType = "application/json";

// An endless multipart/x-mixed-replace body (the MJPEG stream of /api/<camera>). The connection
// writes "--<boundary>\r\nContent-Type: <part_content_type>\r\n\r\n<part>\r\n\r\n" for each part,
// one after another. Streams are paced by a timer per broadcast (http/multipart_broadcast.h), not
// per connection, and no thread per viewer: next_part is called once per `interval` (the first
// time at once) and its part, framed once into one buffer, is written to every connection of the
// broadcast with one write each. Streams with the same non-empty `shared_key` (and the same
// boundary, part type and interval) are one broadcast, run by the first stream's next_part: the
// key must name everything the callback's parts depend on. An empty key is a broadcast of its own.
// A slow client skips parts (at most one waits behind the one being written), never a backlog.
// A connection's stream ends when next_part returns nullptr or throws, when the client goes away
// (noticed at once, by a read that fails), when one part's write takes longer than the server's
// write_timeout, or when the server stops; a client that leaves is offered nothing more, and once
// a broadcast's last client has left, next_part is not called again and the MultipartStream (with
// whatever its callback captured) is released.
struct MultipartStream {
  std::string boundary = "frame";
  std::string part_content_type = "image/jpeg";
  std::chrono::steady_clock::duration interval = std::chrono::milliseconds(333);
  // Runs on an io thread: must not block (read the latest shared JPEG, encode at most once).
  std::function<std::shared_ptr<const std::string>()> next_part;
  std::string shared_key;
};

struct Response {
  int status = 200;
  std::string content_type = std::string(kTextContentType);
  // Extra headers (Content-Type and Content-Length are set from the fields above).
  std::vector<std::pair<std::string, std::string>> headers;
  // The body: `shared_body` when set (bytes shared with other responses, e.g. a cached JPEG),
  // otherwise `body`.
  std::string body;
  std::shared_ptr<const std::string> shared_body;
  // When set, the response is an endless multipart stream (see above) and the bodies are unused.
  // It is sent without Content-Length and the connection closes when the stream ends.
  std::shared_ptr<MultipartStream> stream;
  // When set, the body is a range of an open file (static /clips and /recordings, see
  // http/file_body.h), sent in chunks by the connection; Content-Length is its length and `body`
  // is unused.
  std::shared_ptr<const FileBody> file;

  std::string_view BodyView() const {
    return shared_body ? std::string_view(*shared_body) : std::string_view(body);
  }
  void SetHeader(std::string name, std::string value);
  const std::string* FindHeader(std::string_view name) const;  // case-insensitive

  // A plain-text response (health text, version, error messages).
  static Response Text(int status, std::string text);
  // A JSON document (keys sorted, 2-space indent, as Flask's jsonify in 0.8).
  static Response Json(const nlohmann::json& document, int status = 200);
  // Shared bytes, e.g. a JPEG with content type "image/jpg" (0.8's choice).
  static Response Bytes(std::string content_type, std::shared_ptr<const std::string> bytes);
  static Response Stream(MultipartStream stream);
};

}  // namespace corvette::http
