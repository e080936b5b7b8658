#pragma once

// Helpers shared by the config tests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "config/config.h"

namespace corvette::config::testing {

inline LoadResult LoadYaml(std::string_view text,
                           const std::map<std::string, std::string>& env = {}) {
  return LoadConfigText(text, Format::kYaml, env);
}

// Loads YAML that must be valid; fails the test with the errors otherwise.
inline Config MustLoad(std::string_view text, const std::map<std::string, std::string>& env = {}) {
  LoadResult result = LoadYaml(text, env);
  EXPECT_THAT(result.errors, ::testing::IsEmpty());
  if (!result.config)
    return Config{};
  return *result.config;
}

// A minimal valid camera named `name` (1280x720, one detect input).
inline std::string MinimalCamera(std::string_view name = "back") {
  return std::string("  ") + std::string(name) +
         ":\n"
         "    ffmpeg:\n"
         "      inputs:\n"
         "        - path: rtsp://10.0.0.2/stream\n"
         "          roles: [detect]\n"
         "    width: 1280\n"
         "    height: 720\n";
}

}  // namespace corvette::config::testing
