#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "collectors/registry.h"
#include "config/config.h"

namespace edgewatch::testing {

// The config sections of every collector edgewatch has.
inline ConfigSections Sections() {
  static const auto kSections = ConfigSectionsOf(AllCollectors());
  return kSections;
}

// The message of a failed decode: one "file:line:column: ..." line per problem.
inline std::string Problems(const std::string& path,
                            std::initializer_list<std::string_view> lines) {
  std::string out;
  for (const auto line : lines) {
    out += (out.empty() ? "" : "\n") + path + std::string(line);
  }
  return out;
}

// The error of loading tests/testdata/`relative`, which must not load.
inline std::string LoadErrors(const std::string& relative) {
  const auto config = LoadConfigFile(std::string(EDGEWATCH_TESTDATA) + "/" + relative, Sections());
  EXPECT_FALSE(config.ok()) << relative;
  return config.ok() ? "" : config.error().message;
}

}  // namespace edgewatch::testing
