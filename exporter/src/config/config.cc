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
reflection:
  enabled: true
  interface: any
)";

constexpr char kDefaultSource[] = "<embedded default>";

void ReadProcess(MapReader& m, ProcessConfig& c) { m.Bool("enabled", c.enabled); }

Expected<std::chrono::milliseconds> PositiveDuration(const std::string& text) {
  auto d = ParseDuration(text);
  if (d && d->count() == 0) {
    return Error{"must be greater than 0s"};
  }
  return d;
}

Expected<reflection::Vector> ParseVector(const std::string& text) {
  if (auto v = reflection::VectorByName(text)) {
    return *v;
  }
  std::string names;
  for (const auto& v : reflection::kVectors) {
    names += names.empty() ? "" : ", ";
    names += v.name;
  }
  return Error{"expected one of " + names + ", got \"" + text + "\""};
}

void ReadGlobal(MapReader& m, GlobalConfig& c) {
  m.Value("collector_timeout", c.collector_timeout, PositiveDuration);
}

void ReadReflection(MapReader& m, ReflectionConfig& c) {
  m.Bool("enabled", c.enabled);
  m.String("interface", c.interface);
  m.List("local_networks", c.local_networks, ParseCidr);
  m.List("vectors", c.vectors, ParseVector);
  m.Value("top_k", c.top_k, [](const std::string& t) { return ParseUnsigned(t, 1, 100); });
  m.Value("window", c.window, PositiveDuration);
  m.Value("request_timeout", c.request_timeout, PositiveDuration);
  m.Value("request_table_size", c.request_table_size,
          [](const std::string& t) { return ParseUnsigned(t, 1024, 1u << 24); });
  m.Value("buffer_size_bytes", c.buffer_size_bytes,
          [](const std::string& t) { return ParseUnsigned(t, 1u << 20, 1u << 30); });
  m.Bool("promiscuous", c.promiscuous);
  m.Value("retry_interval", c.retry_interval, PositiveDuration);
  m.Section("ntp", [&](MapReader& n) {
    n.List("servers", c.ntp.servers, ParseIpAddress);
    n.Bool("monlist_probe", c.ntp.monlist_probe);
    n.Value("probe_interval", c.ntp.probe_interval, PositiveDuration);
    n.Value("probe_timeout", c.ntp.probe_timeout, PositiveDuration);
  });
  if (c.interface.empty()) {
    m.Fail("interface", "must not be empty; use \"any\" for every interface");
  }
}

}  // namespace

std::vector<reflection::Vector> ReflectionConfig::AllVectors() {
  std::vector<reflection::Vector> all;
  for (const auto& v : reflection::kVectors) {
    all.push_back(v.vector);
  }
  return all;
}

std::string_view EmbeddedDefaultConfig() { return kEmbeddedDefault; }

Expected<Config> ParseConfig(const std::string& yaml, const std::string& source) {
  Config initial;
  initial.source = source;
  return DecodeDocument(
      yaml, source, std::move(initial), [](YamlReader&, MapReader& top, Config& config) {
        top.Section("global", [&](MapReader& m) { ReadGlobal(m, config.global); });
        top.Section("process", [&](MapReader& m) { ReadProcess(m, config.process); });
        top.Section("reflection", [&](MapReader& m) { ReadReflection(m, config.reflection); });
      });
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
