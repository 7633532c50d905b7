#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace edgewatch {

struct GlobalConfig {
  // How long one collector may take in a scrape before it is reported failed. Keep it below
  // Prometheus' scrape_timeout (10s by default).
  std::chrono::milliseconds collector_timeout{std::chrono::seconds(8)};
};

// The exporter's own process_* metrics.
struct ProcessConfig {
  bool enabled = true;
};

// The whole configuration. Each collector has one section with at least `enabled`.
struct Config {
  std::string source;  // file it came from, or "<embedded default>"
  GlobalConfig global;
  ProcessConfig process;
};

// The configuration used when --config.file is not given, as YAML.
std::string_view EmbeddedDefaultConfig();

// Strict decoding: unknown keys, wrong types and bad values are errors. On failure the Error
// lists every problem, one "file:line:column: key.path: message" per line.
Expected<Config> ParseConfig(const std::string& yaml, const std::string& source);
Expected<Config> LoadConfigFile(const std::string& path);
Config DefaultConfig();
// The file when given, else the embedded default.
Expected<Config> LoadConfig(const std::optional<std::string>& file);

}  // namespace edgewatch
