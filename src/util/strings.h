#pragma once

// Small string helpers used across modules. For prefixes and suffixes with case, use C++20's
// std::string_view::starts_with / ends_with.

#include <string>
#include <string_view>
#include <vector>

namespace corvette::util {

// Space and tab: HTTP's optional white space and the separators of config values.
inline constexpr std::string_view kBlanks = " \t";
// What std::isspace accepts in the C locale.
inline constexpr std::string_view kWhitespace = " \t\n\v\f\r";

// `text` without the leading and trailing characters found in `chars`.
std::string_view Trim(std::string_view text, std::string_view chars = kBlanks);

// The parts of `text` between any of the `separators` characters, empty parts included:
// Split("a,,b", ",") is {"a", "", "b"}, Split("", ",") is {""}. The parts view into `text`.
std::vector<std::string_view> Split(std::string_view text, std::string_view separators);
// As Split, without the empty parts: SplitNonEmpty(" -a  b ", " ") is {"-a", "b"}.
std::vector<std::string_view> SplitNonEmpty(std::string_view text, std::string_view separators);

// ASCII case conversion (other bytes are left as they are).
std::string ToLower(std::string_view text);
std::string ToUpper(std::string_view text);
// ASCII case-insensitive comparisons.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix);

}  // namespace corvette::util
