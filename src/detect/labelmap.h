#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corvette::detect {

// Class id -> label name, as Frigate's labelmap files (section 5 of the behaviour spec): each
// non-blank line is either "<index> <name>" (index, whitespace or ':', name; the name may contain
// spaces) or just "<name>" (the line's number counting from 0, blank lines included, is the index).
// Ids may have gaps.
class Labelmap {
 public:
  Labelmap() = default;

  // Throws std::runtime_error naming the path when the file cannot be read or a line has a bad
  // index.
  static Labelmap Load(const std::string& path);
  // Parses the text of a labelmap file; `origin` names it in error messages.
  static Labelmap Parse(std::string_view text, std::string_view origin = "labelmap");

  // The label of a class id; ids not in the map are named by their number (Frigate would raise).
  std::string Label(int class_id) const;
  // True when the class id has a name in the file.
  bool Has(int class_id) const;
  // One past the largest id in the file.
  int size() const { return static_cast<int>(names_.size()); }

 private:
  std::vector<std::string> names_;  // empty string = no entry
};

}  // namespace corvette::detect
