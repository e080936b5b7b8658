#include "config/schema_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "util/strings.h"

namespace corvette::config {

void Diagnostics::Error(std::string_view path, std::string_view what, std::string_view expected) {
  if (path.empty()) {
    errors_.push_back(fmt::format("{} (expected {})", what, expected));
  } else {
    errors_.push_back(fmt::format("{}: {} (expected {})", path, what, expected));
  }
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty())
    return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string IndexPath(std::string_view parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string DescribeValue(const Document& value) {
  switch (value.type()) {
    case Document::value_t::null:
      return "nothing (null)";
    case Document::value_t::boolean:
      return fmt::format("the boolean {}", value.get<bool>() ? "true" : "false");
    case Document::value_t::number_integer:
    case Document::value_t::number_unsigned:
    case Document::value_t::number_float:
      return fmt::format("the number {}", value.dump());
    case Document::value_t::string: {
      std::string s = value.get<std::string>();
      if (s.size() > 40)
        s = s.substr(0, 37) + "...";
      return fmt::format("the string \"{}\"", s);
    }
    case Document::value_t::array:
      return "a list";
    case Document::value_t::object:
      return "a map";
    default:
      return "an unsupported value";
  }
}

std::string IntRange::Describe() const {
  constexpr auto kMin = std::numeric_limits<int64_t>::min();
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  if (min == kMin && max == kMax)
    return "an integer";
  if (max == kMax)
    return fmt::format("an integer >= {}", min);
  if (min == kMin)
    return fmt::format("an integer <= {}", max);
  return fmt::format("an integer from {} to {}", min, max);
}

std::string NumberRange::Describe() const {
  bool has_min = std::isfinite(min);
  bool has_max = std::isfinite(max);
  if (!has_min && !has_max)
    return "a number";
  if (!has_max)
    return fmt::format("a number {} {}", min_exclusive ? ">" : ">=", min);
  if (!has_min)
    return fmt::format("a number <= {}", max);
  if (min_exclusive)
    return fmt::format("a number > {} and <= {}", min, max);
  return fmt::format("a number from {} to {}", min, max);
}

std::optional<int> ReadInt(const Document& value, const std::string& path, const IntRange& range,
                           Diagnostics& diag) {
  if (!value.is_number_integer()) {
    diag.Error(path, fmt::format("{} is not an integer", DescribeValue(value)), range.Describe());
    return std::nullopt;
  }
  int64_t v = value.is_number_unsigned()
                  ? static_cast<int64_t>(std::min<uint64_t>(value.get<uint64_t>(),
                                                            std::numeric_limits<int64_t>::max()))
                  : value.get<int64_t>();
  if (v < range.min || v > range.max) {
    diag.Error(path, fmt::format("{} is out of range", v), range.Describe());
    return std::nullopt;
  }
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    diag.Error(path, fmt::format("{} is too large", v), range.Describe());
    return std::nullopt;
  }
  return static_cast<int>(v);
}

std::optional<double> ReadNumber(const Document& value, const std::string& path,
                                 const NumberRange& range, Diagnostics& diag) {
  // Integers are accepted where Frigate 0.8 wanted a float (fixed defect, spec §13 item 17).
  if (!value.is_number()) {
    diag.Error(path, fmt::format("{} is not a number", DescribeValue(value)), range.Describe());
    return std::nullopt;
  }
  double v = value.get<double>();
  bool below = range.min_exclusive ? !(v > range.min) : !(v >= range.min);
  if (std::isnan(v) || below || v > range.max) {
    diag.Error(path, fmt::format("{} is out of range", value.dump()), range.Describe());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ReadBool(const Document& value, const std::string& path, Diagnostics& diag) {
  if (!value.is_boolean()) {
    diag.Error(path, fmt::format("{} is not a boolean", DescribeValue(value)), "true or false");
    return std::nullopt;
  }
  return value.get<bool>();
}

std::optional<std::string> ReadString(const Document& value, const std::string& path,
                                      Diagnostics& diag, bool allow_empty) {
  if (!value.is_string()) {
    diag.Error(path, fmt::format("{} is not a string", DescribeValue(value)),
               "a string; quote values that look like numbers or booleans");
    return std::nullopt;
  }
  std::string s = value.get<std::string>();
  if (!allow_empty && s.empty()) {
    diag.Error(path, "empty string", "a non-empty string");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> ReadStringList(const Document& value,
                                                       const std::string& path, Diagnostics& diag) {
  if (!value.is_array()) {
    diag.Error(path, fmt::format("{} is not a list", DescribeValue(value)), "a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    auto s = ReadString(value[i], IndexPath(path, i), diag);
    if (s) {
      out.push_back(*s);
    } else {
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> ReadArgs(const Document& value, const std::string& path,
                                                 Diagnostics& diag) {
  std::vector<std::string> out;
  if (value.is_string()) {
    for (std::string_view arg : util::SplitNonEmpty(value.get_ref<const std::string&>(), " "))
      out.emplace_back(arg);
    return out;
  }
  if (!value.is_array()) {
    diag.Error(path, fmt::format("{} is not a string or a list", DescribeValue(value)),
               "arguments as one space-separated string or a list of strings");
    return std::nullopt;
  }
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const Document& item = value[i];
    if (item.is_string()) {
      if (!item.get<std::string>().empty())
        out.push_back(item.get<std::string>());
    } else if (item.is_number_integer()) {
      out.push_back(item.dump());
    } else {
      diag.Error(IndexPath(path, i), fmt::format("{} is not a string", DescribeValue(item)),
                 "an ffmpeg argument string");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return out;
}

MapReader::MapReader(const Document* node, std::string path, Diagnostics& diag)
    : node_(node), path_(std::move(path)), diag_(&diag) {
  if (node_ != nullptr && node_->is_null())
    node_ = nullptr;
  if (node_ != nullptr && !node_->is_object()) {
    diag_->Error(path_.empty() ? "config" : path_,
                 fmt::format("{} is not a map", DescribeValue(*node_)), "a map of keys to values");
    node_ = nullptr;
  }
}

const Document* MapReader::Get(std::string_view key) {
  known_.emplace_back(key);
  if (node_ == nullptr)
    return nullptr;
  auto it = node_->find(std::string(key));
  if (it == node_->end() || it->is_null())
    return nullptr;
  return &*it;
}

bool MapReader::Has(std::string_view key) {
  return Get(key) != nullptr;
}

std::optional<int> MapReader::Int(std::string_view key, const IntRange& range) {
  const Document* v = Get(key);
  if (v == nullptr)
    return std::nullopt;
  return ReadInt(*v, KeyPath(key), range, *diag_);
}

std::optional<double> MapReader::Number(std::string_view key, const NumberRange& range) {
  const Document* v = Get(key);
  if (v == nullptr)
    return std::nullopt;
  return ReadNumber(*v, KeyPath(key), range, *diag_);
}

std::optional<bool> MapReader::Bool(std::string_view key) {
  const Document* v = Get(key);
  if (v == nullptr)
    return std::nullopt;
  return ReadBool(*v, KeyPath(key), *diag_);
}

std::optional<std::string> MapReader::String(std::string_view key, bool allow_empty) {
  const Document* v = Get(key);
  if (v == nullptr)
    return std::nullopt;
  return ReadString(*v, KeyPath(key), *diag_, allow_empty);
}

std::optional<std::vector<std::string>> MapReader::StringList(std::string_view key) {
  const Document* v = Get(key);
  if (v == nullptr)
    return std::nullopt;
  return ReadStringList(*v, KeyPath(key), *diag_);
}

std::optional<std::vector<std::string>> MapReader::Args(std::string_view key) {
  const Document* v = Get(key);
  if (v == nullptr)
    return std::nullopt;
  return ReadArgs(*v, KeyPath(key), *diag_);
}

void MapReader::Require(std::string_view key, std::string_view expected) {
  if (!Has(key))
    diag_->Error(KeyPath(key), "missing", expected);
}

MapReader MapReader::Map(std::string_view key) {
  return MapReader(Get(key), KeyPath(key), *diag_);
}

std::vector<std::pair<std::string, const Document*>> MapReader::Entries(std::string_view key) {
  std::vector<std::pair<std::string, const Document*>> out;
  const Document* v = Get(key);
  if (v == nullptr)
    return out;
  if (!v->is_object()) {
    diag_->Error(KeyPath(key), fmt::format("{} is not a map", DescribeValue(*v)),
                 "a map of names to settings");
    return out;
  }
  for (auto it = v->begin(); it != v->end(); ++it)
    out.emplace_back(it.key(), &it.value());
  return out;
}

const Document* MapReader::List(std::string_view key) {
  const Document* v = Get(key);
  if (v == nullptr)
    return nullptr;
  if (!v->is_array()) {
    diag_->Error(KeyPath(key), fmt::format("{} is not a list", DescribeValue(*v)), "a list");
    return nullptr;
  }
  return v;
}

void MapReader::Finish() {
  if (node_ == nullptr)
    return;
  std::vector<std::string> accepted = known_;
  std::sort(accepted.begin(), accepted.end());
  accepted.erase(std::unique(accepted.begin(), accepted.end()), accepted.end());
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    if (!std::binary_search(accepted.begin(), accepted.end(), it.key())) {
      diag_->Error(KeyPath(it.key()), "unknown key",
                   fmt::format("one of {}", fmt::join(accepted, ", ")));
    }
  }
}

}  // namespace corvette::config
