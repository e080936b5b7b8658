#pragma once

// `{FRIGATE_*}` substitution (spec §2.7), as Python's str.format with only FRIGATE_ variables
// available:
// `{NAME}` is replaced by the variable's value, `{{` and `}}` are literal braces, anything else is
// an error.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/schema_reader.h"

namespace corvette::config {

// The variables substitution can use: the FRIGATE_* entries of `environment`, overlaid by the
// FRIGATE_* entries of the config's environment_vars (those are exported at start-up, so they win).
std::map<std::string, std::string> SubstitutionVariables(
    const std::map<std::string, std::string>& environment,
    const std::map<std::string, std::string>& environment_vars);

// Substitutes `text`; on error reports under `path` and returns nullopt.
std::optional<std::string> SubstituteEnvironment(
    std::string_view text, const std::map<std::string, std::string>& variables,
    const std::string& path, Diagnostics& diag);

}  // namespace corvette::config
