#pragma once

// Maps (method, path) to handlers. Built once before the server starts, then read-only: Handle()
// is const and may run on several io threads at once (handlers must be thread-safe too).

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/query.h"
#include "http/response.h"

namespace corvette::http {

// The request as handlers see it.
struct Request {
  std::string method;  // "GET", "HEAD", ... (a HEAD request runs the GET handler)
  std::string target;  // as received: path and query, still encoded
  std::string path;    // percent-decoded path
  std::map<std::string, std::string, std::less<>> path_params;  // decoded named segments
  QueryParams query;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;  // as received (at most the server's max_body_bytes)

  // The named segment `name` of the route's pattern; "" if the pattern has none by that name.
  const std::string& Param(std::string_view name) const;
  // The first header called `name` (case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
};

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Registers `handler` for GET (and HEAD, which answers the same without a body) on `pattern`:
  // "/" separated segments, each a literal or a named segment "<name>" that matches one
  // non-empty decoded segment (which may itself contain an encoded '/'). Among matching routes,
  // the one whose first differing segment is literal wins, so "/api/events/<id>" beats
  // "/api/<camera>/latest.jpg" for /api/events/latest.jpg and "/api/stats" beats "/api/<camera>"
  // (0.8's precedence, spec §9.1). Registering the same pattern and method twice replaces the
  // handler.
  void Get(std::string_view pattern, Handler handler);
  // Registers a handler for another method (for later use: 0.8 has GET only).
  void Add(std::string_view method, std::string_view pattern, Handler handler);

  // Adds `name: value` to every response (including errors) whose request path starts with
  // `prefix`, unless the handler set that header itself. nginx adds
  // Access-Control-Allow-Origin: * and Cache-Control: no-store to /api/ in 0.8.
  void AddHeaderForPrefix(std::string prefix, std::string name, std::string value);
  // Lets pages of any origin read every path under `prefix` (nginx did so for /api/, /clips/
  // and /recordings/ in 0.8): responses carry Access-Control-Allow-Origin: * and expose the
  // headers a video player needs to seek (Content-Range, Accept-Ranges, Content-Length); an
  // OPTIONS preflight is answered 204 with the allowed methods (GET, HEAD) and headers (Range,
  // Content-Type), cacheable for a day, whether or not a route matches the path.
  void AllowCrossOrigin(std::string prefix);

  // Answers one request. Unknown path: 404 "Not Found"; known path, other method: 405 with an
  // Allow header; a method other than GET/HEAD on an unknown path: 405 as well (no route answers
  // it); an undecodable path: 400; HttpError from the handler: its status and message; any other
  // exception: 500 (logged). The body of a HEAD response is left in place: the server sends only
  // the headers (and the GET Content-Length).
  Response Handle(std::string_view method, std::string_view target,
                  std::vector<std::pair<std::string, std::string>> headers = {},
                  std::string body = {}) const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter's name
    bool is_param = false;
  };
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    std::map<std::string, Handler, std::less<>> handlers;  // method -> handler
  };
  struct PrefixHeader {
    std::string prefix, name, value;
  };

  Response Dispatch(Request& request) const;

  // Sorted so that the first matching route is the one that wins.
  std::vector<Route> routes_;
  std::vector<PrefixHeader> prefix_headers_;
  std::vector<std::string> cross_origin_prefixes_;
};

}  // namespace corvette::http
