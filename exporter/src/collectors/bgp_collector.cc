#include "collectors/bgp_collector.h"

#include <random>
#include <string>

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kBgpNeighborInfo{"edgewatch_bgp_neighbor_info", prometheus::MetricType::Gauge,
                                      "BGP neighbour identity."};
constexpr MetricDesc kBgpNeighborUp{
    "edgewatch_bgp_neighbor_up", prometheus::MetricType::Gauge,
    "1 while the neighbour answers: fewer than `window` probes in a row lost."};
constexpr MetricDesc kBgpNeighborPingSentTotal{
    "edgewatch_bgp_neighbor_ping_sent_total", prometheus::MetricType::Counter,
    "ICMP echo probes sent, each counted once it is answered or lost (its timeout passed, or it "
    "could not be sent): 1 - received / sent is the loss at any scrape."};
constexpr MetricDesc kBgpNeighborPingReceivedTotal{"edgewatch_bgp_neighbor_ping_received_total",
                                                   prometheus::MetricType::Counter,
                                                   "Echo replies received within the timeout."};
constexpr MetricDesc kBgpNeighborPingDuplicatesTotal{"edgewatch_bgp_neighbor_ping_duplicates_total",
                                                     prometheus::MetricType::Counter,
                                                     "Echo replies received more than once."};
constexpr MetricDesc kBgpNeighborPingSendErrorsTotal{
    "edgewatch_bgp_neighbor_ping_send_errors_total", prometheus::MetricType::Counter,
    "Probes that could not be sent."};
constexpr MetricDesc kBgpNeighborPingRttSeconds{"edgewatch_bgp_neighbor_ping_rtt_seconds",
                                                prometheus::MetricType::Histogram,
                                                "Round-trip time of echo replies."};
constexpr MetricDesc kBgpNeighborLastReplyTimestampSeconds{
    "edgewatch_bgp_neighbor_last_reply_timestamp_seconds", prometheus::MetricType::Gauge,
    "When the last echo reply arrived."};
constexpr MetricDesc kBgpNeighborTcpConnectUp{
    "edgewatch_bgp_neighbor_tcp_connect_up", prometheus::MetricType::Gauge,
    "1 if the last TCP connection to port 179 succeeded."};
constexpr MetricDesc kBgpNeighborTcpConnectDurationSeconds{
    "edgewatch_bgp_neighbor_tcp_connect_duration_seconds", prometheus::MetricType::Gauge,
    "How long the last TCP connection attempt to port 179 took."};
constexpr MetricDesc kBgpPingRejectedRepliesTotal{
    "edgewatch_bgp_ping_rejected_replies_total", prometheus::MetricType::Counter,
    "Echo replies refused: edgewatch's magic with another cookie, or a sequence no probe to "
    "that address has (spoofed replies, another edgewatch, or replies long after a probe)."};
constexpr MetricDesc kBgpNeighborResolveSuccess{
    "edgewatch_bgp_neighbor_resolve_success", prometheus::MetricType::Gauge,
    "1 if the neighbour's name resolved when last asked (always 1 for an address), 0 if not: "
    "its old addresses, if any, are still probed."};
constexpr const MetricDesc* kMetrics[] = {&kBgpPingRejectedRepliesTotal,
                                          &kBgpNeighborResolveSuccess,
                                          &kBgpNeighborInfo,
                                          &kBgpNeighborUp,
                                          &kBgpNeighborPingSentTotal,
                                          &kBgpNeighborPingReceivedTotal,
                                          &kBgpNeighborPingDuplicatesTotal,
                                          &kBgpNeighborPingSendErrorsTotal,
                                          &kBgpNeighborPingRttSeconds,
                                          &kBgpNeighborLastReplyTimestampSeconds,
                                          &kBgpNeighborTcpConnectUp,
                                          &kBgpNeighborTcpConnectDurationSeconds};

}  // namespace
namespace {

// Probes are sent at most this late; RTT is measured from the real send time.
constexpr std::chrono::milliseconds kTick{20};

}  // namespace

BgpCollector::BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger)
    : config_(config), loop_(std::make_unique<io::ProbeLoop>(logger, kTick)) {
  schedule_ = std::make_unique<BgpSchedule>(config_, clock, loop_->pinger(), loop_->resolver(),
                                            loop_->tcp(), std::move(logger),
                                            static_cast<std::uint16_t>(std::random_device()()));
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
  sink.Add(kBgpPingRejectedRepliesTotal, {},
           static_cast<double>(loop_->RejectedReplies() + schedule_->RejectedReplies()));
  const auto bounds = PingTracker::BucketBounds();
  for (std::size_t n = 0; n < config_.neighbors.size(); ++n) {
    const auto& neighbor = config_.neighbors[n];
    const PingTracker::Stats total = schedule_->Ping(n);
    const Labels id = {{"neighbor", neighbor.name}};
    sink.Add(kBgpNeighborInfo,
             {{"neighbor", neighbor.name},
              {"address", neighbor.host},
              {"asn", neighbor.asn == 0 ? "" : std::to_string(neighbor.asn)},
              {"description", neighbor.description}},
             1);
    sink.Add(kBgpNeighborUp, id, total.up ? 1 : 0);
    sink.Add(kBgpNeighborPingSentTotal, id, static_cast<double>(total.settled()));
    sink.Add(kBgpNeighborPingReceivedTotal, id, static_cast<double>(total.received));
    sink.Add(kBgpNeighborPingDuplicatesTotal, id, static_cast<double>(total.duplicates));
    sink.Add(kBgpNeighborPingSendErrorsTotal, id, static_cast<double>(total.send_errors));
    sink.Histogram(kBgpNeighborPingRttSeconds, id, bounds, total.buckets, total.rtt_count,
                   total.rtt_sum_seconds);
    if (total.last_reply) {
      sink.Add(kBgpNeighborLastReplyTimestampSeconds, id, ToUnixSeconds(*total.last_reply));
    }
    if (const auto resolves = schedule_->Resolves(n)) {
      sink.Add(kBgpNeighborResolveSuccess, id, *resolves ? 1 : 0);
    }
    if (const auto tcp = schedule_->Tcp(n)) {
      sink.Add(kBgpNeighborTcpConnectUp, id, tcp->up ? 1 : 0);
      sink.Add(kBgpNeighborTcpConnectDurationSeconds, id, tcp->seconds);
    }
  }
  return {};
}

const CollectorRegistration kBgpCollector = {
    "bgp",
    "BGP neighbour reachability: continuous ICMP echo, RTT histograms, loss",
    [](const Config& c) { return c.Section<BgpConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<BgpCollector>(context.config.Section<BgpConfig>(), context.clock,
                                            context.logger);
    },
    &KeepWhileSectionSame<BgpConfig>,
    {},
    kMetrics,
    &kBgpSection,
};

}  // namespace edgewatch
