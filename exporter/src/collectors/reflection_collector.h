#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/registry.h"
#include "collectors/udp_reflection_state.h"
#include "config/reflection_config.h"
#include "core/collector.h"
#include "core/trigger.h"
#include "io/pcap_source.h"

namespace edgewatch {

// UDP reflection and amplification (NTP monlist first, then DNS, SSDP, memcached, CLDAP,
// chargen, SNMP) from a libpcap capture on its own thread: traffic per vector, direction and
// side, the reflector view per local NTP server, unsolicited responses to local hosts with the
// top targets, and capture health. A capture that cannot open or is lost is logged, shown as
// edgewatch_capture_up 0 and retried; it never stops the exporter.
class ReflectionCollector final : public Collector {
 public:
  // `retry` paces capture reopen attempts, `probe` the monlist self-check rounds.
  ReflectionCollector(const ReflectionConfig& config, const Clock& clock, Logger logger,
                      std::unique_ptr<Trigger> retry, std::unique_ptr<Trigger> probe);
  ~ReflectionCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;

  Status Replay(const std::string& path) override;
  Expected<std::unique_ptr<ReplaySource>> OpenReplay(const std::string& path) override;

  // One monlist self-check round over the configured servers (the probe thread's body).
  void ProbeOnce();
  // Without local_networks: reads the interface's addresses again (a reload), counters kept.
  void ReadInterfaceAddresses();

 private:
  // local_networks, or else the interface's addresses.
  std::vector<net::Prefix> LocalNetworks() const;
  // One live capture and its health, reopened after `retry` while it cannot run: the main
  // one, and with spoofed_egress on an interface other than "any", one that takes only the
  // outbound packets with a source outside the local networks.
  struct LiveCapture {
    const char* what = "capture";
    io::LiveCaptureOptions options;
    Trigger* retry = nullptr;
    std::atomic<bool> up{false};
    std::atomic<std::uint64_t> received{0};  // totals across reopened handles
    std::atomic<std::uint64_t> dropped{0};
    std::mutex mu;
    io::PcapSource* source = nullptr;  // guarded by mu: the open handle, for Break()
  };
  template <typename OnPacket>
  void Run(LiveCapture& capture, OnPacket on_packet);
  void Break(LiveCapture& capture);
  void Count(const io::Packet& packet, int link_type);
  void ProbeLoop();
  // The replay state, made by the first replayed capture.
  void StartReplay();
  class History;

  ReflectionConfig config_;
  const Clock& clock_;
  Logger logger_;
  std::unique_ptr<Trigger> retry_;
  std::unique_ptr<Trigger> probe_;
  std::unique_ptr<ReflectionState> state_;  // built by Start() or Replay()
  std::string interface_label_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> replayed_{false};
  // History replay: the time the windows are at, when it is past the last frame's.
  std::atomic<std::int64_t> replay_now_ns_{0};
  LiveCapture main_;
  LiveCapture egress_;
  std::unique_ptr<Trigger> egress_retry_;
  std::thread capture_thread_;
  std::thread egress_thread_;
  std::thread probe_thread_;

  mutable std::mutex probe_mu_;
  std::vector<std::optional<bool>> exposed_;  // guarded by probe_mu_, per ntp.servers entry
};

extern const CollectorRegistration kReflectionCollector;

// The kernel BPF filter for the enabled vectors: their UDP ports, plus IPv4 fragments and IPv6
// packets whose next header is not UDP/TCP/ICMPv6 (extension headers and fragments), which the
// decoder counts or walks, and the tunnels it decodes. With `spoofed_from` (local networks),
// also outbound packets whose source is in none of them.
// Packets from none of `local` (BPF), for the spoofed-egress capture.
std::string EgressFilter(const std::vector<net::Prefix>& local);

std::string CaptureFilter(const std::vector<reflection::Vector>& vectors,
                          const std::vector<net::Prefix>* spoofed_from = nullptr);

}  // namespace edgewatch
