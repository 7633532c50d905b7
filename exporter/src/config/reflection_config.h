#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/section.h"
#include "parsers/reflection/vectors.h"

namespace edgewatch {

// NTP specifics of the reflection collector.
struct NtpReflectionConfig {
  // Local NTP servers watched as possible reflectors; others count under server="other".
  std::vector<IpAddress> servers;
  // Send a mode-7 MON_GETLIST_1 query to each server every probe_interval and export whether it
  // answers (edgewatch_ntp_monlist_exposed).
  bool monlist_probe = false;
  std::chrono::milliseconds probe_interval{std::chrono::minutes(1)};
  std::chrono::milliseconds probe_timeout{std::chrono::seconds(2)};

  friend bool operator==(const NtpReflectionConfig&, const NtpReflectionConfig&) = default;
};
// How reflection traffic is judged, from a capture or from flows: the keys the reflection and
// flow sections share.
struct ReflectionTrafficConfig {
  // Which addresses are "ours", for direction in/out/transit. Empty for a capture: the
  // addresses of the capture interface (all interfaces for "any") at start.
  std::vector<Cidr> local_networks;
  std::vector<reflection::Vector> vectors = AllVectors();
  std::uint64_t top_k = 10;
  std::chrono::milliseconds window{std::chrono::minutes(5)};
  // How long an outgoing request makes the responses to it solicited.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  std::uint64_t request_table_size = 65536;
  NtpReflectionConfig ntp;

  static std::vector<reflection::Vector> AllVectors();

  friend bool operator==(const ReflectionTrafficConfig&, const ReflectionTrafficConfig&) = default;
};

// Reads the shared keys (ntp.monlist_probe and its timing only where `probe`).
void ReadReflectionTraffic(MapReader& m, ReflectionTrafficConfig& c, bool probe);

// UDP reflection/amplification traffic seen by libpcap.
struct ReflectionConfig : ReflectionTrafficConfig {
  static constexpr std::string_view kKey = "reflection";

  bool enabled = true;
  std::string interface = "any";
  // 8 MiB holds ~30k packets of a mixed feed, ~39 ms of a stalled capture thread at ~0.78 Mpps,
  // for 8 MB of RSS; 32 MiB doubled RSS (docs/benchmarks.md, bench/reflection/span.py).
  std::uint64_t buffer_size_bytes = 8 << 20;
  bool promiscuous = false;
  // Count outbound packets whose source is outside local_networks (BCP 38): on "any" through
  // the capture's Linux cooked headers, on one interface through a second, outbound-only one.
  bool spoofed_egress = false;
  // How often a capture that cannot open (no such interface, no permission) is retried.
  std::chrono::milliseconds retry_interval{std::chrono::seconds(10)};

  friend bool operator==(const ReflectionConfig&, const ReflectionConfig&) = default;
};

extern const ConfigSection kReflectionSection;

}  // namespace edgewatch
