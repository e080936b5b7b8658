#pragma once

// Reads config text (YAML or JSON) into a JSON tree that keeps the file's key order. YAML plain
// scalars are typed as PyYAML (YAML 1.1) types them, so a Frigate config means the same here as in
// Frigate: `yes`/`on` are booleans, `010` is octal 8, `1.0` is a float, `1e3` is a string, quoted
// scalars are always strings.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace corvette::config {

using Document = nlohmann::ordered_json;

struct ParsedDocument {
  Document root;                      // null when the text is empty or could not be parsed
  std::vector<std::string> errors;    // syntax errors, with line and column (1-based)
  std::vector<std::string> warnings;  // duplicate keys, with the key path and lines
};

// YAML: aliases are expanded, merge keys (`<<`) are applied. A key given twice in one map takes
// the last value, as PyYAML does, with a warning "<key path>: duplicate key on line L ...".
ParsedDocument ParseYaml(std::string_view text);
ParsedDocument ParseJson(std::string_view text);

// The PyYAML type of a plain (unquoted) YAML scalar: null, bool, integer, float or string.
Document ResolvePlainScalar(const std::string& text);

}  // namespace corvette::config
