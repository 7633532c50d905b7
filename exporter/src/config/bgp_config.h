#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/section.h"

namespace edgewatch {

// One BGP neighbour probed with ICMP echo.
struct BgpNeighborConfig {
  std::string name;                  // the `neighbor` label
  std::string host;                  // as configured: an IP literal or a DNS name
  std::optional<IpAddress> address;  // set when `host` is an IP literal
  std::uint64_t asn = 0;
  std::string description;
  std::optional<std::chrono::milliseconds> interval;  // defaults from BgpConfig
  std::optional<std::chrono::milliseconds> timeout;
  std::uint64_t size = 64;           // ICMP message bytes (header + payload)
  std::optional<IpAddress> source;   // source address of the probes
  std::optional<std::uint64_t> ttl;  // IP TTL / hop limit of the probes
  std::optional<bool> tcp_probe;     // defaults from BgpConfig

  friend bool operator==(const BgpNeighborConfig&, const BgpNeighborConfig&) = default;
};
// BGP neighbour reachability.
struct BgpConfig {
  static constexpr std::string_view kKey = "bgp";

  bool enabled = true;
  std::chrono::milliseconds interval{std::chrono::seconds(1)};
  std::chrono::milliseconds timeout{std::chrono::seconds(1)};
  std::uint64_t window = 3;  // up while fewer than this many probes in a row were lost
  // How often DNS names are resolved again (a failure is retried after a tenth of it).
  std::chrono::milliseconds resolve_interval{std::chrono::minutes(5)};
  // Also try a TCP connection to port 179 every tcp_probe_interval.
  bool tcp_probe = false;
  std::chrono::milliseconds tcp_probe_interval{std::chrono::seconds(10)};
  std::vector<BgpNeighborConfig> neighbors;

  friend bool operator==(const BgpConfig&, const BgpConfig&) = default;
};

extern const ConfigSection kBgpSection;

}  // namespace edgewatch
