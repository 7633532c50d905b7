#include "config/reflection_config.h"

namespace edgewatch {
namespace {

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

}  // namespace

void ReadReflectionTraffic(MapReader& m, ReflectionTrafficConfig& c, bool probe) {
  m.List("local_networks", c.local_networks, ParseCidr);
  m.List("vectors", c.vectors, ParseVector);
  m.Value("top_k", c.top_k, [](const std::string& t) { return ParseUnsigned(t, 1, 100); });
  m.Value("window", c.window, PositiveDuration);
  m.Value("request_timeout", c.request_timeout, PositiveDuration);
  m.Value("request_table_size", c.request_table_size,
          [](const std::string& t) { return ParseUnsigned(t, 1024, 1u << 24); });
  m.Section("ntp", [&](MapReader& n) {
    n.List("servers", c.ntp.servers, ParseIpAddress);
    if (probe) {
      n.Bool("monlist_probe", c.ntp.monlist_probe);
      n.Value("probe_interval", c.ntp.probe_interval, PositiveDuration);
      n.Value("probe_timeout", c.ntp.probe_timeout, PositiveDuration);
    }
  });
}

namespace {

void ReadReflection(MapReader& m, ReflectionConfig& c, ConfigContext&) {
  m.Bool("enabled", c.enabled);
  m.String("interface", c.interface);
  ReadReflectionTraffic(m, c, true);
  m.Value("buffer_size_bytes", c.buffer_size_bytes,
          [](const std::string& t) { return ParseUnsigned(t, 1u << 20, 1u << 30); });
  m.Bool("promiscuous", c.promiscuous);
  m.Bool("spoofed_egress", c.spoofed_egress);
  m.Value("retry_interval", c.retry_interval, PositiveDuration);
  if (c.interface.empty()) {
    m.Fail("interface", "must not be empty; use \"any\" for every interface");
  }
}

}  // namespace

std::vector<reflection::Vector> ReflectionTrafficConfig::AllVectors() {
  std::vector<reflection::Vector> all;
  for (const auto& v : reflection::kVectors) {
    all.push_back(v.vector);
  }
  return all;
}
const ConfigSection kReflectionSection = SectionOf<ReflectionConfig, &ReadReflection>();

}  // namespace edgewatch
