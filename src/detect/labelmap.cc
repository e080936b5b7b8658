#include "detect/labelmap.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace corvette::detect {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

}  // namespace

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
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = Trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
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
        name = Trim(line.substr(digits + (line[digits] == ':' ? 1 : 0)));
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
