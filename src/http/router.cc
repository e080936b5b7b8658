#include "http/router.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <optional>

#include "http/log.h"
#include "util/strings.h"

namespace corvette::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  // "/api/events/1" -> {"api", "events", "1"}; "/api/" -> {"api", ""}; "/" -> {""}.
  if (path.starts_with('/'))
    path.remove_prefix(1);
  return util::Split(path, "/");
}

std::string AllowedMethods(const std::map<std::string, Handler, std::less<>>& handlers) {
  std::string allow;
  auto append = [&allow](std::string_view method) {
    if (!allow.empty())
      allow += ", ";
    allow += method;
  };
  for (const auto& [method, handler] : handlers) {
    append(method);
    if (method == "GET" && handlers.find("HEAD") == handlers.end())
      append("HEAD");
  }
  return allow;
}

}  // namespace

const std::string& Request::Param(std::string_view name) const {
  static const std::string kEmpty;
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

const std::string* Request::FindHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (util::EqualsIgnoreCase(key, name))
      return &value;
  }
  return nullptr;
}

void Router::Get(std::string_view pattern, Handler handler) {
  Add("GET", pattern, std::move(handler));
}

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  for (Route& route : routes_) {
    if (route.pattern == pattern) {
      route.handlers[std::string(method)] = std::move(handler);
      return;
    }
  }
  Route route;
  route.pattern = std::string(pattern);
  for (std::string_view segment : SplitPath(pattern)) {
    bool is_param = segment.size() > 2 && segment.front() == '<' && segment.back() == '>';
    route.segments.push_back(
        {std::string(is_param ? segment.substr(1, segment.size() - 2) : segment), is_param});
  }
  route.handlers[std::string(method)] = std::move(handler);
  routes_.push_back(std::move(route));
  // Literal before parameter at the first position where two patterns differ in kind: the
  // patterns' kind sequences in lexicographic order (a strict weak order; of two patterns where
  // one's kinds are a prefix of the other's, the shorter comes first, which cannot matter: routes
  // of different lengths never match the same path).
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    return std::lexicographical_compare(
        a.segments.begin(), a.segments.end(), b.segments.begin(), b.segments.end(),
        [](const Segment& x, const Segment& y) { return !x.is_param && y.is_param; });
  });
}

void Router::AddHeaderForPrefix(std::string prefix, std::string name, std::string value) {
  prefix_headers_.push_back({std::move(prefix), std::move(name), std::move(value)});
}

void Router::AllowCrossOrigin(std::string prefix) {
  AddHeaderForPrefix(prefix, "Access-Control-Allow-Origin", "*");
  AddHeaderForPrefix(prefix, "Access-Control-Expose-Headers",
                     "Accept-Ranges, Content-Length, Content-Range");
  cross_origin_prefixes_.push_back(std::move(prefix));
}

Response Router::Handle(std::string_view method, std::string_view target,
                        std::vector<std::pair<std::string, std::string>> headers,
                        std::string body) const {
  Request request;
  request.method = std::string(method);
  request.target = std::string(target);
  request.headers = std::move(headers);
  request.body = std::move(body);
  std::size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (question != std::string_view::npos) {
    request.query = QueryParams::Parse(target.substr(question + 1));
  }

  Response response;
  std::optional<std::string> path = PercentDecode(raw_path, false);
  if (!path || raw_path.empty() || raw_path.front() != '/') {
    response = Response::Text(400, "Bad Request: invalid path");
  } else {
    request.path = *path;
    const bool preflight =
        request.method == "OPTIONS" &&
        std::any_of(cross_origin_prefixes_.begin(), cross_origin_prefixes_.end(),
                    [&](const std::string& prefix) { return request.path.starts_with(prefix); });
    if (preflight) {
      response = Response::Text(204, "");
      response.SetHeader("Allow", "GET, HEAD, OPTIONS");
      response.SetHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      response.SetHeader("Access-Control-Allow-Headers", "Range, Content-Type");
      response.SetHeader("Access-Control-Max-Age", "86400");
    } else {
      response = Dispatch(request);
    }
  }
  for (const PrefixHeader& header : prefix_headers_) {
    if (request.path.starts_with(header.prefix) && response.FindHeader(header.name) == nullptr) {
      response.headers.emplace_back(header.name, header.value);
    }
  }
  return response;
}

Response Router::Dispatch(Request& request) const {
  // Segments are matched decoded one by one, so an encoded '/' stays inside its segment.
  std::size_t question = request.target.find('?');
  std::vector<std::string_view> raw_segments =
      SplitPath(std::string_view(request.target).substr(0, question));
  std::vector<std::string> segments;
  segments.reserve(raw_segments.size());
  for (std::string_view raw : raw_segments) {
    std::optional<std::string> decoded = PercentDecode(raw, false);
    if (!decoded)
      return Response::Text(400, "Bad Request: invalid path");
    segments.push_back(std::move(*decoded));
  }

  const bool is_head = request.method == "HEAD";
  const bool known_method = request.method == "GET" || is_head;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size())
      continue;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      const Segment& segment = route.segments[i];
      matches = segment.is_param ? !segments[i].empty() : segment.text == segments[i];
    }
    if (!matches)
      continue;

    auto handler = route.handlers.find(request.method);
    if (handler == route.handlers.end() && is_head)
      handler = route.handlers.find("GET");
    if (handler == route.handlers.end()) {
      Response response = Response::Text(405, "Method Not Allowed");
      response.SetHeader("Allow", AllowedMethods(route.handlers));
      return response;
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (route.segments[i].is_param) {
        request.path_params[route.segments[i].text] = segments[i];
      }
    }
    try {
      return handler->second(request);
    } catch (const HttpError& error) {
      return Response::Text(error.status(), error.what());
    } catch (const std::exception& error) {
      Log().error("{} {}: handler failed: {}", request.method, request.path, error.what());
      return Response::Text(500, "Internal Server Error");
    } catch (...) {
      Log().error("{} {}: handler failed", request.method, request.path);
      return Response::Text(500, "Internal Server Error");
    }
  }
  if (!known_method) {
    Response response = Response::Text(405, "Method Not Allowed");
    response.SetHeader("Allow", "GET, HEAD");
    return response;
  }
  return Response::Text(404, "Not Found");
}

}  // namespace corvette::http
