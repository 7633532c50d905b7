#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "collectors/flow_agents.h"
#include "collectors/flow_templates.h"
#include "collectors/registry.h"
#include "collectors/udp_reflection_state.h"
#include "config/flow_config.h"
#include "core/collector.h"
#include "io/udp_receiver.h"

namespace edgewatch {

// Flow telemetry from the border routers on its own thread. sFlow v5: each flow sample's raw
// packet header goes through the capture's decoder and classifiers into a ReflectionState of
// its own, weighted by the sampling rate (source="sflow"). NetFlow v5/v9 and IPFIX: each UDP
// flow record, judged by its ports, into another (source="netflow"), its templates and
// sampling kept per exporter and domain. Per-agent health (datagrams, samples or records,
// lost, templates, decode errors, last seen) and the sFlow agents' interface counters.
// Datagrams from outside `agents` are refused.
class FlowCollector final : public Collector {
 public:
  FlowCollector(const FlowConfig& config, const Clock& clock, Logger logger);
  ~FlowCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;
  // A capture of flow datagrams as they reached a collector (tcpdump -i any udp port 6343).
  Status Replay(const std::string& path) override;

  // The ports the listeners got (the configured ones; the kernel's for port 0). After Start().
  std::vector<std::uint16_t> Ports() const { return ports_; }

  // One datagram from `sender`, received at `timestamp_ns` (the windows' time) and `wall_ns`.
  // The receiving thread (or a replay) only.
  void OnDatagram(const net::Address& sender, std::span<const std::byte> datagram, bool truncated,
                  std::int64_t timestamp_ns, std::int64_t wall_ns);

 private:
  class SflowCounter;
  class NetflowCounter;
  void Run();
  void OnSflow(std::size_t slot, std::span<const std::byte> datagram, std::int64_t timestamp_ns);
  void OnNetflow(std::size_t slot, const net::Address& sender, std::span<const std::byte> datagram,
                 std::int64_t timestamp_ns);

  FlowConfig config_;
  const Clock& clock_;
  Logger logger_;
  std::unique_ptr<ReflectionState> sflow_;
  std::unique_ptr<ReflectionState> netflow_;
  FlowAgents agents_;
  FlowTemplates templates_;     // the receiving thread only
  std::vector<UdpFlow> flows_;  // the receiving thread only: a datagram's UDP flows
  std::atomic<std::uint64_t> templates_forgotten_{0};
  std::atomic<std::uint64_t> domains_forgotten_{0};
  std::optional<io::UdpReceiver> receiver_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::atomic<std::uint64_t>> received_;      // per listener
  std::vector<std::atomic<std::uint64_t>> kernel_drops_;  // per listener
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> replayed_{false};
  std::thread thread_;
};

extern const CollectorRegistration kFlowCollector;

}  // namespace edgewatch
