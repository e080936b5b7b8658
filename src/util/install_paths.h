#pragma once

// Where corvette finds the files it ships beside its binary (the model, the web page), whether it
// runs from its build folder or is installed (the Debian package: /usr/bin/corvette and
// /usr/share/corvette/<name>).

#include <filesystem>
#include <optional>
#include <string_view>

namespace corvette::util {

// The first of these folders that holds `marker` (a file name): $<env_variable> when set,
// `<name>` beside the running binary, `../share/corvette/<name>` from the binary's folder, then
// `fallback` (e.g. the build's own folder) when given. nullopt when none does.
std::optional<std::filesystem::path> FindShippedFolder(
    const char* env_variable, std::string_view name, std::string_view marker,
    const std::optional<std::filesystem::path>& fallback = std::nullopt);

}  // namespace corvette::util
