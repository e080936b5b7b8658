#pragma once

// Helpers that read one level of the config document against a strict schema and collect every
// problem as
// "<key path>: <what is wrong> (<what was expected>)". Nothing here throws: a value of the wrong
// type is reported and read as absent, so one pass finds all the problems.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/document.h"

namespace corvette::config {

class Diagnostics {
 public:
  void Error(std::string_view path, std::string_view what, std::string_view expected);
  void Warning(std::string message) { warnings_.push_back(std::move(message)); }
  void AddError(std::string message) { errors_.push_back(std::move(message)); }

  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::vector<std::string> TakeErrors() { return std::move(errors_); }
  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }

 private:
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

std::string JoinPath(std::string_view parent, std::string_view key);  // "a" + "b" = "a.b"
std::string IndexPath(std::string_view parent, size_t index);         // "a" + 2 = "a[2]"
// A short description of a value for messages: `the string "abc"`, `the number 3`, `a list`, ...
std::string DescribeValue(const Document& value);

struct IntRange {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  std::string Describe() const;  // "an integer", "an integer >= 1", "an integer from 1 to 255"
};

struct NumberRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  std::string Describe() const;  // "a number from 0 to 1", "a number > 0 and <= 1"
};

// Value checks shared by MapReader and list readers; each reports under `path` and returns nullopt
// on error.
std::optional<int> ReadInt(const Document& value, const std::string& path, const IntRange& range,
                           Diagnostics& diag);
std::optional<double> ReadNumber(const Document& value, const std::string& path,
                                 const NumberRange& range, Diagnostics& diag);
std::optional<bool> ReadBool(const Document& value, const std::string& path, Diagnostics& diag);
std::optional<std::string> ReadString(const Document& value, const std::string& path,
                                      Diagnostics& diag, bool allow_empty = true);
std::optional<std::vector<std::string>> ReadStringList(const Document& value,
                                                       const std::string& path, Diagnostics& diag);
// Frigate's "str|[str]" argument lists: a string split at spaces (empty tokens dropped) or a list
// of strings (integers in the list are taken as their decimal text).
std::optional<std::vector<std::string>> ReadArgs(const Document& value, const std::string& path,
                                                 Diagnostics& diag);

// Reads the keys of one map. Every key read through it counts as known; Finish() reports the
// others. A key whose value is null reads as absent (`objects:` with nothing under it is an empty
// section).
class MapReader {
 public:
  // `node` may be null or absent (nullptr): the section reads as empty. Anything but a map is
  // reported. `node` must outlive the reader.
  MapReader(const Document* node, std::string path, Diagnostics& diag);

  const std::string& path() const { return path_; }
  std::string KeyPath(std::string_view key) const { return JoinPath(path_, key); }
  Diagnostics& diag() const { return *diag_; }
  bool present() const { return node_ != nullptr; }  // the section exists (possibly empty)

  // The value of `key`, or nullptr if absent or null. Marks the key known.
  const Document* Get(std::string_view key);
  bool Has(std::string_view key);

  std::optional<int> Int(std::string_view key, const IntRange& range = {});
  std::optional<double> Number(std::string_view key, const NumberRange& range = {});
  std::optional<bool> Bool(std::string_view key);
  std::optional<std::string> String(std::string_view key, bool allow_empty = true);
  std::optional<std::vector<std::string>> StringList(std::string_view key);
  std::optional<std::vector<std::string>> Args(std::string_view key);
  // Reports `key` missing when it is absent or null.
  void Require(std::string_view key, std::string_view expected);

  // A nested map section (absent or null reads as an empty section).
  MapReader Map(std::string_view key);
  // The entries of a map of user-chosen names (cameras, zones, filters, ...), in file order.
  std::vector<std::pair<std::string, const Document*>> Entries(std::string_view key);
  // A list (nullptr when absent, null or not a list; the latter is reported).
  const Document* List(std::string_view key);

  // Reports every key that was never read, with the list of keys this section accepts.
  void Finish();

 private:
  const Document* node_;
  std::string path_;
  Diagnostics* diag_;
  std::vector<std::string> known_;
};

}  // namespace corvette::config
