#include "http/response.h"

#include "util/strings.h"

namespace corvette::http {

void Response::SetHeader(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (util::EqualsIgnoreCase(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

const std::string* Response::FindHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (util::EqualsIgnoreCase(key, name)) {
      return &value;
    }
  }
  return nullptr;
}

Response Response::Text(int status, std::string text) {
  Response response;
  response.status = status;
  response.body = std::move(text);
  return response;
}

Response Response::Json(const nlohmann::json& document, int status) {
  Response response;
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  response.body = document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Response::Bytes(std::string content_type, std::shared_ptr<const std::string> bytes) {
  Response response;
  response.content_type = std::move(content_type);
  response.shared_body = std::move(bytes);
  return response;
}

Response Response::Stream(MultipartStream stream) {
  Response response;
  response.content_type = "multipart/x-mixed-replace; boundary=" + stream.boundary;
  response.stream = std::make_shared<MultipartStream>(std::move(stream));
  return response;
}

}  // namespace corvette::http
