#include "config/env_substitution.h"

#include <fmt/format.h>

namespace corvette::config {
namespace {

constexpr std::string_view kPrefix = "FRIGATE_";

bool HasPrefix(std::string_view name) {
  return name.starts_with(kPrefix);
}

}  // namespace

std::map<std::string, std::string> SubstitutionVariables(
    const std::map<std::string, std::string>& environment,
    const std::map<std::string, std::string>& environment_vars) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : environment) {
    if (HasPrefix(name))
      out[name] = value;
  }
  for (const auto& [name, value] : environment_vars) {
    if (HasPrefix(name))
      out[name] = value;
  }
  return out;
}

std::optional<std::string> SubstituteEnvironment(
    std::string_view text, const std::map<std::string, std::string>& variables,
    const std::string& path, Diagnostics& diag) {
  std::string out;
  out.reserve(text.size());
  bool ok = true;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        out += '}';
        i += 2;
        continue;
      }
      diag.Error(path, fmt::format("single \"}}\" at character {}", i + 1),
                 "\"}}\" for a literal brace");
      ok = false;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      i += 2;
      continue;
    }
    size_t close = text.find('}', i + 1);
    size_t next_open = text.find('{', i + 1);
    if (close == std::string_view::npos || next_open < close) {
      diag.Error(path, fmt::format("unclosed \"{{\" at character {}", i + 1),
                 "{FRIGATE_NAME} or \"{{\" for a literal brace");
      ok = false;
      ++i;
      continue;
    }
    std::string name(text.substr(i + 1, close - i - 1));
    auto it = variables.find(name);
    if (it == variables.end()) {
      diag.Error(path,
                 HasPrefix(name) ? fmt::format("unknown variable {{{}}}", name)
                                 : fmt::format("variable {{{}}} is not a FRIGATE_ variable", name),
                 "an environment variable or environment_vars entry named FRIGATE_*; write {{ and "
                 "}} for literal braces");
      ok = false;
    } else {
      out += it->second;
    }
    i = close + 1;
  }
  if (!ok)
    return std::nullopt;
  return out;
}

}  // namespace corvette::config
