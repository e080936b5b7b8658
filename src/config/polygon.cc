#include "config/polygon.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "util/strings.h"

namespace corvette::config {
namespace {

using util::Split;
using util::Trim;

std::optional<int> ParseCoordinate(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+')
    text.remove_prefix(1);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

constexpr std::string_view kPolygonExpected =
    "integer coordinates \"x1,y1,x2,y2,...\" with at least 3 points";

}  // namespace

std::optional<Polygon> ParsePolygonString(std::string_view text, const std::string& path,
                                          Diagnostics& diag) {
  std::vector<std::string_view> parts = Split(text, ",");
  std::vector<int> values;
  bool ok = true;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto v = ParseCoordinate(parts[i]);
    if (!v) {
      diag.Error(path, fmt::format("coordinate {} \"{}\" is not an integer", i + 1, Trim(parts[i])),
                 kPolygonExpected);
      ok = false;
      continue;
    }
    values.push_back(*v);
  }
  if (!ok) {
    return std::nullopt;
  }
  if (values.size() % 2 != 0) {
    diag.Error(path, fmt::format("odd number of coordinates ({})", values.size()),
               kPolygonExpected);
    return std::nullopt;
  }
  Polygon polygon;
  for (size_t i = 0; i + 1 < values.size(); i += 2) {
    polygon.push_back(Point{values[i], values[i + 1]});
  }
  if (polygon.size() < 3) {
    diag.Error(path, fmt::format("only {} point{}", polygon.size(), polygon.size() == 1 ? "" : "s"),
               kPolygonExpected);
    return std::nullopt;
  }
  return polygon;
}

std::optional<ParsedMask> ReadMask(const Document* value, const std::string& path,
                                   Diagnostics& diag) {
  ParsedMask mask;
  if (value == nullptr || value->is_null())
    return mask;
  mask.raw = *value;
  bool ok = true;
  auto add = [&](const std::string& text, const std::string& item_path) {
    if (Trim(text).empty())
      return;
    auto polygon = ParsePolygonString(text, item_path, diag);
    if (!polygon) {
      ok = false;
      return;
    }
    mask.strings.push_back(text);
    mask.polygons.push_back(std::move(*polygon));
  };
  if (value->is_string()) {
    add(value->get<std::string>(), path);
  } else if (value->is_array()) {
    if (!value->empty() && std::all_of(value->begin(), value->end(),
                                       [](const Document& v) { return v.is_number(); })) {
      // `mask: [0,0,10,0,10,10]` in YAML is a list of numbers, not a polygon string.
      diag.Error(path, "a list of numbers",
                 "one polygon as a string \"x1,y1,x2,y2,...\" (quote it in flow style) or a list "
                 "of such strings");
      return std::nullopt;
    }
    for (size_t i = 0; i < value->size(); ++i) {
      const Document& item = (*value)[i];
      if (!item.is_string()) {
        diag.Error(IndexPath(path, i), fmt::format("{} is not a string", DescribeValue(item)),
                   kPolygonExpected);
        ok = false;
        continue;
      }
      add(item.get<std::string>(), IndexPath(path, i));
    }
  } else {
    diag.Error(path, fmt::format("{} is not a string or a list", DescribeValue(*value)),
               "a mask: \"x1,y1,x2,y2,...\" or a list of such strings");
    return std::nullopt;
  }
  if (!ok)
    return std::nullopt;
  return mask;
}

std::optional<Polygon> ReadZoneCoordinates(const Document& value, const std::string& path,
                                           Diagnostics& diag) {
  if (value.is_string())
    return ParsePolygonString(value.get<std::string>(), path, diag);
  if (!value.is_array()) {
    diag.Error(path, fmt::format("{} is not a string or a list", DescribeValue(value)),
               "\"x1,y1,x2,y2,...\" or a list of \"x,y\" strings");
    return std::nullopt;
  }
  Polygon polygon;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const Document& item = value[i];
    std::string item_path = IndexPath(path, i);
    if (!item.is_string()) {
      diag.Error(item_path, fmt::format("{} is not a string", DescribeValue(item)),
                 "a point \"x,y\"");
      ok = false;
      continue;
    }
    std::string text = item.get<std::string>();
    std::vector<std::string_view> parts = Split(text, ",");
    std::optional<int> x, y;
    if (parts.size() == 2) {
      x = ParseCoordinate(parts[0]);
      y = ParseCoordinate(parts[1]);
    }
    if (!x || !y) {
      diag.Error(item_path, fmt::format("\"{}\" is not a point", text),
                 "a point \"x,y\" of two integers");
      ok = false;
      continue;
    }
    polygon.push_back(Point{*x, *y});
  }
  if (!ok)
    return std::nullopt;
  if (polygon.size() < 3) {
    diag.Error(path, fmt::format("only {} point{}", polygon.size(), polygon.size() == 1 ? "" : "s"),
               "at least 3 points");
    return std::nullopt;
  }
  return polygon;
}

bool PolygonOutside(const Polygon& polygon, int width, int height) {
  for (const Point& p : polygon) {
    if (p.x < 0 || p.y < 0 || p.x > width || p.y > height)
      return true;
  }
  return false;
}

}  // namespace corvette::config
