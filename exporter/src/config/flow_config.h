#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "config/reflection_config.h"
#include "config/section.h"
#include "config/values.h"

namespace edgewatch {

// Flow telemetry from routers and switches (sFlow v5, NetFlow v5/v9, IPFIX) into the reflection
// state the capture feeds, with per-agent health and the agents' interface counters.
struct FlowConfig : ReflectionTrafficConfig {
  static constexpr std::string_view kKey = "flow";

  bool enabled = false;
  // UDP addresses to receive on; an empty host is every address, IPv4 and IPv6. Each takes
  // any of the protocols (told apart by their version field); the defaults are sFlow's,
  // NetFlow's customary and IPFIX's ports.
  std::vector<ListenAddress> listen = {{"", 6343}, {"", 2055}, {"", 4739}};
  // Exporters whose datagrams are counted (by their UDP source); empty: any. Others are
  // refused: forged flow datagrams would otherwise feed the reflection counters.
  std::vector<Cidr> agents;
  // Bounds of the per-agent health and the interface-counter table: past them an agent's
  // health counts under agent="other", an interface is not exported (both counted).
  std::uint64_t max_agents = 256;
  std::uint64_t max_interfaces = 4096;
  std::uint64_t receive_buffer_bytes = 8 << 20;
  // NetFlow v9 / IPFIX templates kept (all agents and domains), and how long one lives
  // unless its exporter sends it again: longer than the exporters' template refresh.
  std::uint64_t max_templates = 1024;
  std::chrono::milliseconds template_timeout{std::chrono::hours(1)};
  // The 1-in-N assumed for NetFlow/IPFIX records whose exporter says nothing of its sampling
  // (no sampling field, no options record): set it to the routers' sampling rate.
  std::uint64_t default_sampling_rate = 1;

  friend bool operator==(const FlowConfig&, const FlowConfig&) = default;
};

extern const ConfigSection kFlowSection;

}  // namespace edgewatch
