#pragma once

// Query strings and the errors a handler answers with.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corvette::http {

// Thrown by handlers (and the typed getters below) to answer with `status` and `message` as a
// plain-text body. The router catches it; any other exception becomes a 500.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string message)
      : std::runtime_error(std::move(message)), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Percent-decodes `text`; with `plus_is_space` (query strings) '+' becomes ' '. nullopt when a
// '%' is not followed by two hex digits or the result contains a NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// The decoded name=value pairs of a query string, in order. A name may repeat; getters use its
// first occurrence. Parsing is lenient (as Flask's): a pair that cannot be decoded is kept
// verbatim, "a" alone means a="".
class QueryParams {
 public:
  QueryParams() = default;
  static QueryParams Parse(std::string_view query);

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  // The first value of `name`, or nullptr when absent.
  const std::string* Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  std::optional<std::string> GetString(std::string_view name) const;
  // A filter value (camera, label, zone): nullopt when absent or empty, as 0.8's `if camera:`
  // treats `camera=` as no filter.
  std::optional<std::string> GetFilter(std::string_view name) const;

  // A 0/1 option such as bbox=1, read as 0.8 does: the value as an integer, nullopt when absent
  // or not an integer (so "bbox=yes" is ignored, never an error).
  std::optional<long long> GetFlagInt(std::string_view name) const;
  // GetFlagInt(name) != 0, or `default_value` when absent/not an integer.
  bool GetFlag(std::string_view name, bool default_value = false) const;

  // A strict integer parameter (h, fps, limit, ...): nullopt when absent or empty; throws
  // HttpError(400) when it is not an integer or outside [min, max], e.g.
  // "h: must be a positive integer (got 'abc')".
  std::optional<long long> GetInt(std::string_view name, long long min, long long max) const;
  // A strict number (before, after: epoch seconds, integer or decimal): nullopt when absent or
  // empty; throws HttpError(400) "after: must be a number (got 'x')" otherwise.
  std::optional<double> GetNumber(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Python int() of a decimal string: optional surrounding spaces, optional sign, digits (and '_'
// between digits). nullopt on anything else or overflow.
std::optional<long long> ParseInteger(std::string_view text);

}  // namespace corvette::http
