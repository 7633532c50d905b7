#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "collectors/udp_reflection_state.h"
#include "config/reflection_config.h"
#include "core/metric_sink.h"

namespace edgewatch {

// The reflection traffic families, one catalogue for every source that feeds a
// ReflectionState: the capture (reflection collector) and the flows (flow collector).
MetricCatalogue ReflectionTrafficMetrics();

// The state's settings from a section's shared keys and the local networks it settled on.
ReflectionSettings ReflectionSettingsOf(const ReflectionTrafficConfig& c,
                                        std::vector<net::Prefix> local);

// What to export of a state: the enabled vectors, the NTP servers in the state's order, the
// time the windows are at, and labels put first on every series (empty for the capture).
struct ReflectionTrafficView {
  std::span<const reflection::Vector> vectors;
  std::span<const net::Address> ntp_servers;
  std::int64_t now_ns = 0;
  Labels labels;
};

// Adds the traffic families of `state` (whose Counts() gave `c`) to `sink`.
void AddReflectionTraffic(MetricSink& sink, const ReflectionState& state, const ReflectionCounts& c,
                          const ReflectionTrafficView& view);

}  // namespace edgewatch
