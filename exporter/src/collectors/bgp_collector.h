#pragma once

#include <memory>

#include "collectors/bgp_schedule.h"
#include "collectors/registry.h"
#include "config/bgp_config.h"
#include "core/collector.h"
#include "io/probe_loop.h"

namespace edgewatch {

// BGP neighbour reachability: continuous ICMP echo probes to every neighbour from one probe
// thread (io::ProbeLoop), timed by a BgpSchedule. A neighbour given by name is resolved at start
// and every resolve_interval, and each of its addresses (up to BgpSchedule::kMaxAddresses) is
// probed; a name that does not resolve is logged and retried, never fatal. Optionally a TCP
// connection to port 179 shows whether the BGP port answers. A socket that cannot open is
// logged once and retried.
class BgpCollector final : public Collector {
 public:
  BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger);
  ~BgpCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;

 private:
  BgpConfig config_;
  std::unique_ptr<io::ProbeLoop> loop_;
  std::unique_ptr<BgpSchedule> schedule_;  // runs on loop_'s thread; read by scrapes
};

extern const CollectorRegistration kBgpCollector;

}  // namespace edgewatch
