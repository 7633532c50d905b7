#include "config/flow_config.h"

namespace edgewatch {
namespace {

void ReadFlow(MapReader& m, FlowConfig& c, ConfigContext&) {
  m.Bool("enabled", c.enabled);
  m.List("listen", c.listen, [](const std::string& t) { return ParseListenAddress(t); });
  m.List("agents", c.agents, ParseCidr);
  ReadReflectionTraffic(m, c, false);
  m.Value("max_agents", c.max_agents,
          [](const std::string& t) { return ParseUnsigned(t, 1, 65536); });
  m.Value("max_interfaces", c.max_interfaces,
          [](const std::string& t) { return ParseUnsigned(t, 1, 1u << 20); });
  m.Value("receive_buffer_bytes", c.receive_buffer_bytes,
          [](const std::string& t) { return ParseUnsigned(t, 1u << 16, 1u << 30); });
  m.Value("max_templates", c.max_templates,
          [](const std::string& t) { return ParseUnsigned(t, 16, 1u << 20); });
  m.Value("template_timeout", c.template_timeout, PositiveDuration);
  m.Value("default_sampling_rate", c.default_sampling_rate,
          [](const std::string& t) { return ParseUnsigned(t, 1, 1u << 24); });
  if (c.enabled && c.listen.empty()) {
    m.Fail("listen", "must name at least one address to receive flows on");
  }
  if (c.listen.size() > 16) {
    m.Fail("listen", "at most 16 addresses");
  }
  // A capture falls back on its interface's addresses; flows come from routers, whose
  // addresses say nothing of which networks are ours.
  if (c.enabled && c.local_networks.empty()) {
    m.Fail("local_networks", "required when flow is enabled: the networks flows are judged by");
  }
}

}  // namespace

const ConfigSection kFlowSection = SectionOf<FlowConfig, &ReadFlow>();

}  // namespace edgewatch
