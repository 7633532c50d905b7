#include "collectors/bgp_collector.h"

#include <string>

namespace edgewatch {
namespace {

// Probes are sent at most this late; RTT is measured from the real send time.
constexpr std::chrono::milliseconds kTick{20};

}  // namespace

BgpCollector::BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger)
    : config_(config), loop_(std::make_unique<io::ProbeLoop>(logger, kTick)) {
  schedule_ = std::make_unique<BgpSchedule>(config_, clock, loop_->pinger(), loop_->resolver(),
                                            loop_->tcp(), std::move(logger));
}

BgpCollector::~BgpCollector() { Stop(); }

Status BgpCollector::Start() {
  if (config_.neighbors.empty()) {
    return {};
  }
  loop_->Start([this](const net::Address& from, std::uint16_t seq) { schedule_->Reply(from, seq); },
               [this] { schedule_->Tick(); });
  return {};
}

void BgpCollector::Stop() { loop_->Stop(); }

Status BgpCollector::Collect(MetricSink& sink) const {
  const auto bounds = PingTracker::BucketBounds();
  for (std::size_t n = 0; n < config_.neighbors.size(); ++n) {
    const auto& neighbor = config_.neighbors[n];
    const PingTracker::Stats total = schedule_->Ping(n);
    const Labels id = {{"neighbor", neighbor.name}};
    sink.Gauge("edgewatch_bgp_neighbor_info", "BGP neighbour identity.",
               {{"neighbor", neighbor.name},
                {"address", neighbor.host},
                {"asn", neighbor.asn == 0 ? "" : std::to_string(neighbor.asn)},
                {"description", neighbor.description}},
               1);
    sink.Gauge("edgewatch_bgp_neighbor_up",
               "1 while the neighbour answers: fewer than `window` probes in a row lost.", id,
               total.up ? 1 : 0);
    sink.Counter("edgewatch_bgp_neighbor_ping_sent_total", "ICMP echo probes sent.", id,
                 static_cast<double>(total.sent));
    sink.Counter("edgewatch_bgp_neighbor_ping_received_total",
                 "Echo replies received within the timeout.", id,
                 static_cast<double>(total.received));
    sink.Counter("edgewatch_bgp_neighbor_ping_duplicates_total",
                 "Echo replies received more than once.", id,
                 static_cast<double>(total.duplicates));
    sink.Counter("edgewatch_bgp_neighbor_ping_send_errors_total", "Probes that could not be sent.",
                 id, static_cast<double>(total.send_errors));
    sink.Histogram("edgewatch_bgp_neighbor_ping_rtt_seconds", "Round-trip time of echo replies.",
                   id, bounds, total.buckets, total.rtt_count, total.rtt_sum_seconds);
    if (total.last_reply) {
      sink.Gauge("edgewatch_bgp_neighbor_last_reply_timestamp_seconds",
                 "When the last echo reply arrived.", id, ToUnixSeconds(*total.last_reply));
    }
    if (const auto tcp = schedule_->Tcp(n)) {
      sink.Gauge("edgewatch_bgp_neighbor_tcp_connect_up",
                 "1 if the last TCP connection to port 179 succeeded.", id, tcp->up ? 1 : 0);
      sink.Gauge("edgewatch_bgp_neighbor_tcp_connect_duration_seconds",
                 "How long the last TCP connection attempt to port 179 took.", id, tcp->seconds);
    }
  }
  return {};
}

const CollectorRegistration kBgpCollector = {
    "bgp",
    "BGP neighbour reachability: continuous ICMP echo, RTT histograms, loss",
    [](const Config& c) { return c.bgp.enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<BgpCollector>(context.config.bgp, context.clock, context.logger);
    },
    &KeepWhileSectionSame<&Config::bgp>,
    {},
};

}  // namespace edgewatch
