#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "collectors/ping_tracker.h"
#include "collectors/registry.h"
#include "core/collector.h"
#include "io/icmp_socket.h"

namespace boost::asio {
class io_context;
}

namespace edgewatch {

// BGP neighbour reachability: continuous ICMP echo probes to every neighbour from one prober
// thread, one socket per address family shared by all targets, probes spread over the interval.
// Exports per neighbour counters, an RTT histogram and `up` (fewer than `window` probes lost in
// a row). A socket that cannot open is logged once and retried at every probe.
class BgpCollector final : public Collector {
 public:
  BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger);
  ~BgpCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;

 private:
  struct Family;
  void Run();

  BgpConfig config_;
  const Clock& clock_;
  Logger logger_;
  std::unique_ptr<PingTracker> tracker_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::thread thread_;
};

std::unique_ptr<Collector> MakeBgpCollector(const CollectorContext& context);

}  // namespace edgewatch
