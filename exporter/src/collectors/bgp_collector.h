#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "collectors/ping_tracker.h"
#include "collectors/registry.h"
#include "core/collector.h"

namespace boost::asio {
class io_context;
}

namespace edgewatch {

// BGP neighbour reachability: continuous ICMP echo probes to every neighbour from one prober
// thread, sockets shared by all targets of an address family (and source address), probes
// spread over the interval. A neighbour given by name is resolved at start and every
// resolve_interval, and each of its addresses (up to kMaxAddresses) is probed; a name that does
// not resolve is logged and retried, never fatal. Optionally a TCP connection to port 179 shows
// whether the BGP port answers. A socket that cannot open is logged once and retried.
class BgpCollector final : public Collector {
 public:
  static constexpr std::size_t kMaxAddresses = 4;

  BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger);
  ~BgpCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;

 private:
  class Prober;
  struct TcpResult {
    bool up = false;
    double seconds = 0;
  };

  BgpConfig config_;
  const Clock& clock_;
  Logger logger_;
  std::unique_ptr<PingTracker> tracker_;  // kMaxAddresses targets per neighbour
  std::unique_ptr<boost::asio::io_context> io_;
  std::thread thread_;
  mutable std::mutex tcp_mu_;
  std::vector<std::optional<TcpResult>> tcp_;  // guarded by tcp_mu_, per neighbour
  friend class Prober;
};

std::unique_ptr<Collector> MakeBgpCollector(const CollectorContext& context);

}  // namespace edgewatch
