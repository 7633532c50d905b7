#include "config/config.h"

#include "config/values.h"
#include "config/yaml_reader.h"

namespace edgewatch {
namespace {

constexpr std::string_view kEmbeddedDefault = R"(# edgewatch embedded default
global:
  collector_timeout: 8s
process:
  enabled: true
)";

constexpr char kDefaultSource[] = "<embedded default>";

void ReadGlobal(MapReader& m, GlobalConfig& c) {
  m.Value("collector_timeout", c.collector_timeout, [](const std::string& text) {
    auto d = ParseDuration(text);
    if (d && d->count() == 0) {
      return Expected<std::chrono::milliseconds>(Error{"must be greater than 0s"});
    }
    return d;
  });
}

void ReadProcess(MapReader& m, ProcessConfig& c) { m.Bool("enabled", c.enabled); }

}  // namespace

std::string_view EmbeddedDefaultConfig() { return kEmbeddedDefault; }

Expected<Config> ParseConfig(const std::string& yaml, const std::string& source) {
  YamlReader reader(source);
  const YAML::Node root = reader.Load(yaml);
  Config config;
  config.source = source;
  if (reader.ok()) {
    MapReader top(reader, root, "");
    top.Section("global", [&](MapReader& m) { ReadGlobal(m, config.global); });
    top.Section("process", [&](MapReader& m) { ReadProcess(m, config.process); });
    top.Finish();
  }
  if (!reader.ok()) {
    return reader.Failure();
  }
  return config;
}

Expected<Config> LoadConfigFile(const std::string& path) {
  auto text = ReadConfigText(path, "config file");
  if (!text) {
    return text.error();
  }
  return ParseConfig(*text, path);
}

Expected<Config> LoadConfig(const std::optional<std::string>& file) {
  return file ? LoadConfigFile(*file) : Expected<Config>(DefaultConfig());
}

Config DefaultConfig() {
  // A unit test keeps the embedded default valid.
  return ParseConfig(std::string(kEmbeddedDefault), kDefaultSource).value();
}

}  // namespace edgewatch
