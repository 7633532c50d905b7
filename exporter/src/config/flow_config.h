#pragma once

#include <string_view>
#include <vector>

#include "config/reflection_config.h"
#include "config/section.h"
#include "config/values.h"

namespace edgewatch {

// Flow telemetry from routers and switches (sFlow v5) into the reflection state the capture
// feeds, with per-agent health and the agents' interface counters.
struct FlowConfig : ReflectionTrafficConfig {
  static constexpr std::string_view kKey = "flow";

  bool enabled = false;
  // UDP addresses to receive on; an empty host is every address, IPv4 and IPv6.
  std::vector<ListenAddress> listen = {{"", 6343}};
  // Exporters whose datagrams are counted (by their UDP source); empty: any. Others are
  // refused: forged flow datagrams would otherwise feed the reflection counters.
  std::vector<Cidr> agents;
  // Bounds of the per-agent health and the interface-counter table: past them an agent's
  // health counts under agent="other", an interface is not exported (both counted).
  std::uint64_t max_agents = 256;
  std::uint64_t max_interfaces = 4096;
  std::uint64_t receive_buffer_bytes = 8 << 20;

  friend bool operator==(const FlowConfig&, const FlowConfig&) = default;
};

extern const ConfigSection kFlowSection;

}  // namespace edgewatch
