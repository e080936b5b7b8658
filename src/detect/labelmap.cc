#include "detect/labelmap.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/strings.h"

namespace corvette::detect {

Labelmap Labelmap::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(fmt::format("cannot read labelmap {}", path));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Labelmap Labelmap::Parse(std::string_view text, std::string_view origin) {
  Labelmap map;
  int line_number = 0;
  for (std::string_view raw_line : util::Split(text, "\n")) {
    std::string_view line = util::Trim(raw_line, util::kWhitespace);
    ++line_number;
    if (line.empty())
      continue;
    int index = line_number - 1;
    std::string_view name = line;
    if (std::isdigit(static_cast<unsigned char>(line.front()))) {
      size_t digits = 0;
      while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits])))
        ++digits;
      if (digits < line.size() &&
          (line[digits] == ':' || std::isspace(static_cast<unsigned char>(line[digits])))) {
        auto [ptr, ec] = std::from_chars(line.data(), line.data() + digits, index);
        if (ec != std::errc() || index > 100000) {
          throw std::runtime_error(
              fmt::format("{}:{}: bad class index in \"{}\"", origin, line_number, line));
        }
        name = util::Trim(line.substr(digits + (line[digits] == ':' ? 1 : 0)), util::kWhitespace);
      }
    }
    if (index >= static_cast<int>(map.names_.size()))
      map.names_.resize(index + 1);
    map.names_[index] = std::string(name);
  }
  return map;
}

bool Labelmap::Has(int class_id) const {
  return class_id >= 0 && class_id < size() && !names_[class_id].empty();
}

std::string Labelmap::Label(int class_id) const {
  return Has(class_id) ? names_[class_id] : std::to_string(class_id);
}

}  // namespace corvette::detect
