#include "http/query.h"

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

#include "util/strings.h"

namespace corvette::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// The value as shown inside an error message: bounded, and without control characters.
std::string Shown(std::string_view value) {
  std::string shown;
  for (char c : value.substr(0, 64)) {
    shown.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  }
  if (value.size() > 64)
    shown += "...";
  return shown;
}

std::string Expectation(long long min, long long max) {
  if (max == LLONG_MAX) {
    if (min == 1)
      return "a positive integer";
    if (min == 0)
      return "a non-negative integer";
    return fmt::format("an integer >= {}", min);
  }
  return fmt::format("an integer from {} to {}", min, max);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0)
        return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0')
      return std::nullopt;
    out.push_back(c);
  }
  return out;
}

QueryParams QueryParams::Parse(std::string_view query) {
  QueryParams params;
  for (std::string_view pair : util::SplitNonEmpty(query, "&;")) {
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    auto name = PercentDecode(raw_name, true);
    auto value = PercentDecode(raw_value, true);
    params.items_.emplace_back(name ? *name : std::string(raw_name),
                               value ? *value : std::string(raw_value));
  }
  return params;
}

const std::string* QueryParams::Find(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (key == name)
      return &value;
  }
  return nullptr;
}

std::optional<std::string> QueryParams::GetString(std::string_view name) const {
  const std::string* value = Find(name);
  if (value == nullptr)
    return std::nullopt;
  return *value;
}

std::optional<std::string> QueryParams::GetFilter(std::string_view name) const {
  const std::string* value = Find(name);
  if (value == nullptr || value->empty())
    return std::nullopt;
  return *value;
}

std::optional<long long> QueryParams::GetFlagInt(std::string_view name) const {
  const std::string* value = Find(name);
  if (value == nullptr)
    return std::nullopt;
  return ParseInteger(*value);
}

bool QueryParams::GetFlag(std::string_view name, bool default_value) const {
  std::optional<long long> value = GetFlagInt(name);
  return value ? *value != 0 : default_value;
}

std::optional<long long> QueryParams::GetInt(std::string_view name, long long min,
                                             long long max) const {
  const std::string* value = Find(name);
  if (value == nullptr || value->empty())
    return std::nullopt;
  std::optional<long long> number = ParseInteger(*value);
  if (!number || *number < min || *number > max) {
    throw HttpError(
        400, fmt::format("{}: must be {} (got '{}')", name, Expectation(min, max), Shown(*value)));
  }
  return number;
}

std::optional<double> QueryParams::GetNumber(std::string_view name) const {
  const std::string* value = Find(name);
  if (value == nullptr || value->empty())
    return std::nullopt;
  std::string text(util::Trim(*value));
  char* end = nullptr;
  errno = 0;
  double number = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
  bool hex_or_word = text.find_first_of("xXnN") != std::string::npos;  // 0x1p3, nan, inf
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || hex_or_word ||
      !std::isfinite(number)) {
    throw HttpError(400, fmt::format("{}: must be a number (got '{}')", name, Shown(*value)));
  }
  return number;
}

std::optional<long long> ParseInteger(std::string_view text) {
  text = util::Trim(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.front() == '_' || text.back() == '_')
    return std::nullopt;
  unsigned long long magnitude = 0;
  char previous = '\0';
  for (char c : text) {
    if (c == '_') {
      if (previous == '_')
        return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      unsigned digit = static_cast<unsigned>(c - '0');
      if (magnitude > (static_cast<unsigned long long>(LLONG_MAX) + 1 - digit) / 10) {
        return std::nullopt;
      }
      magnitude = magnitude * 10 + digit;
    } else {
      return std::nullopt;
    }
    previous = c;
  }
  if (!negative && magnitude > static_cast<unsigned long long>(LLONG_MAX))
    return std::nullopt;
  if (negative) {
    return magnitude == static_cast<unsigned long long>(LLONG_MAX) + 1
               ? LLONG_MIN
               : -static_cast<long long>(magnitude);
  }
  return static_cast<long long>(magnitude);
}

}  // namespace corvette::http
