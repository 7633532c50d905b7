#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/section.h"

namespace edgewatch {

// The exporter's own process_* metrics.
struct ProcessConfig {
  static constexpr std::string_view kKey = "process";

  bool enabled = true;
};

extern const ConfigSection kProcessSection;

}  // namespace edgewatch
