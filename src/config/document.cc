#include "config/document.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "config/schema_reader.h"

namespace corvette::config {
namespace {

constexpr int kMaxDepth = 64;

// YAML 1.1 resolvers as PyYAML uses them (sexagesimal numbers are left as strings).
const std::regex& BoolPattern() {
  static const std::regex re(
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  return re;
}
const std::regex& IntPattern() {
  static const std::regex re(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+");
  return re;
}
const std::regex& FloatPattern() {
  static const std::regex re(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|"
      "[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  return re;
}

std::string WithoutUnderscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_')
      out += c;
  }
  return out;
}

Document ParseYamlInt(const std::string& text) {
  std::string s = WithoutUnderscores(text);
  bool negative = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  int base = 10;
  if (s.compare(i, 2, "0b") == 0) {
    base = 2;
    i += 2;
  } else if (s.compare(i, 2, "0x") == 0) {
    base = 16;
    i += 2;
  } else if (s.size() - i > 1 && s[i] == '0') {
    base = 8;
    i += 1;
  }
  // Accumulate as unsigned; values that do not fit an int64 stay strings (nothing in a config needs
  // them).
  unsigned long long value = 0;
  const unsigned long long limit =
      static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  for (; i < s.size(); ++i) {
    int digit = std::isdigit(static_cast<unsigned char>(s[i]))
                    ? s[i] - '0'
                    : std::tolower(static_cast<unsigned char>(s[i])) - 'a' + 10;
    if (value > (limit - digit) / base)
      return text;
    value = value * base + digit;
  }
  long long v = static_cast<long long>(value);
  return negative ? -v : v;
}

Document ParseYamlFloat(const std::string& text) {
  std::string s = WithoutUnderscores(text);
  if (s.find("inf") != std::string::npos || s.find("Inf") != std::string::npos ||
      s.find("INF") != std::string::npos) {
    return s[0] == '-' ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  }
  if (s.find("nan") != std::string::npos || s.find("NaN") != std::string::npos ||
      s.find("NAN") != std::string::npos) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return std::strtod(s.c_str(), nullptr);
}

std::string MarkText(const YAML::Mark& mark) {
  if (mark.is_null())
    return "";
  return fmt::format("line {}, column {}", mark.line + 1, mark.column + 1);
}

class YamlConverter {
 public:
  YamlConverter(std::vector<std::string>& errors, std::vector<std::string>& warnings)
      : errors_(errors), warnings_(warnings) {}

  // `path` is the node's key path ("cameras.back.ffmpeg.inputs[0]"), for messages.
  Document Convert(const YAML::Node& node, int depth, const std::string& path) {
    if (depth > kMaxDepth) {
      Error(node, "nesting is too deep");
      return nullptr;
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        return Scalar(node);
      case YAML::NodeType::Sequence: {
        Document array = Document::array();
        for (const auto& item : node)
          array.push_back(Convert(item, depth + 1, IndexPath(path, array.size())));
        return array;
      }
      case YAML::NodeType::Map:
        return Map(node, depth, path);
    }
    return nullptr;
  }

 private:
  void Error(const YAML::Node& node, std::string_view what) {
    std::string where = MarkText(node.Mark());
    errors_.push_back(where.empty() ? std::string(what) : fmt::format("{}: {}", where, what));
  }

  static Document Scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    if (tag == "!" || tag == "tag:yaml.org,2002:str")
      return text;  // quoted or explicitly a string
    return ResolvePlainScalar(text);
  }

  Document Map(const YAML::Node& node, int depth, const std::string& path) {
    Document object = Document::object();
    Document merged = Document::object();  // keys from `<<`, applied where the map itself has none
    std::map<std::string, YAML::Mark> first_mark;  // where each key of this map was first given
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        Error(key, "a map key must be a plain value");
        continue;
      }
      const std::string& name = key.Scalar();
      if (name == "<<" && key.Tag() == "?") {
        Document value = Convert(entry.second, depth + 1, path);
        std::vector<Document> sources;
        if (value.is_object()) {
          sources.push_back(value);
        } else if (value.is_array()) {
          for (auto& v : value)
            sources.push_back(v);
        }
        for (const auto& source : sources) {
          if (!source.is_object()) {
            Error(key, "a merge key (<<) must refer to a map or a list of maps");
            continue;
          }
          for (auto it = source.begin(); it != source.end(); ++it) {
            if (!merged.contains(it.key()))
              merged[it.key()] = it.value();
          }
        }
        if (sources.empty())
          Error(key, "a merge key (<<) must refer to a map or a list of maps");
        continue;
      }
      const std::string key_path = JoinPath(path, name);
      if (auto [first, inserted] = first_mark.emplace(name, key.Mark()); !inserted)
        WarnDuplicate(key, first->second, key_path);
      // A repeated key keeps its first place and takes the last value, as in a Python dict.
      object[name] = Convert(entry.second, depth + 1, key_path);
    }
    for (auto it = merged.begin(); it != merged.end(); ++it) {
      if (!object.contains(it.key()))
        object[it.key()] = it.value();
    }
    return object;
  }

  // PyYAML accepts a repeated key and keeps the last value, so a Frigate config may have one. An
  // aliased map is converted at each use: each repeated key is reported once.
  void WarnDuplicate(const YAML::Node& key, const YAML::Mark& first, const std::string& key_path) {
    const YAML::Mark& mark = key.Mark();
    if (!reported_.insert({mark.line, mark.column}).second)
      return;
    warnings_.push_back(fmt::format(
        "{}: duplicate key on line {} (first on line {}): the last value is used, as Frigate 0.8 "
        "(PyYAML) does",
        key_path, mark.line + 1, first.line + 1));
  }

  std::vector<std::string>& errors_;
  std::vector<std::string>& warnings_;
  std::set<std::pair<int, int>> reported_;  // line and column of the duplicates reported
};

}  // namespace

Document ResolvePlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (std::regex_match(text, BoolPattern())) {
    char c = text[0];
    return c == 'y' || c == 'Y' || c == 't' || c == 'T' || text == "on" || text == "On" ||
           text == "ON";
  }
  if (std::regex_match(text, IntPattern()))
    return ParseYamlInt(text);
  if (std::regex_match(text, FloatPattern()))
    return ParseYamlFloat(text);
  return text;
}

ParsedDocument ParseYaml(std::string_view text) {
  ParsedDocument result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where = MarkText(e.mark);
    result.errors.push_back(where.empty() ? fmt::format("YAML syntax error: {}", e.msg)
                                          : fmt::format("{}: YAML syntax error: {}", where, e.msg));
    return result;
  }
  YamlConverter converter(result.errors, result.warnings);
  result.root = converter.Convert(root, 0, "");
  if (!result.errors.empty())
    result.root = nullptr;
  return result;
}

ParsedDocument ParseJson(std::string_view text) {
  ParsedDocument result;
  try {
    result.root = Document::parse(text);
  } catch (const Document::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line L, column C: ..."
    std::string what = e.what();
    auto at = what.find("at line ");
    auto colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
    if (colon == std::string::npos) {
      result.errors.push_back("JSON syntax error: " + what);
    } else {
      result.errors.push_back(fmt::format("{}: JSON syntax error: {}",
                                          what.substr(at + 3, colon - at - 3),
                                          what.substr(colon + 2)));
    }
  }
  return result;
}

}  // namespace corvette::config
