#include "collectors/bgp_collector.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/values.h"
#include "parsers/icmp/echo.h"

namespace edgewatch {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxPacket = 9000 + 60;

std::chrono::nanoseconds Interval(const BgpConfig& c, const BgpNeighborConfig& n) {
  return n.interval.value_or(c.interval);
}

}  // namespace

// The socket of one address family and what reads it.
struct BgpCollector::Family {
  bool v6;
  std::optional<io::IcmpSocket> socket;
  std::optional<asio::posix::stream_descriptor> readable;
  bool open_failed_logged = false;
};

BgpCollector::BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger)
    : config_(config), clock_(clock), logger_(std::move(logger)) {
  std::vector<PingTracker::TargetSettings> targets;
  for (const auto& n : config_.neighbors) {
    targets.push_back({n.address, n.timeout.value_or(config_.timeout),
                       static_cast<std::uint32_t>(config_.window)});
  }
  tracker_ = std::make_unique<PingTracker>(std::move(targets));
}

BgpCollector::~BgpCollector() { Stop(); }

Status BgpCollector::Start() {
  if (config_.neighbors.empty()) {
    return {};
  }
  io_ = std::make_unique<asio::io_context>();
  thread_ = std::thread([this] { Run(); });
  return {};
}

void BgpCollector::Stop() {
  if (io_) {
    io_->stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void BgpCollector::Run() {
  // Raw sockets see every echo reply on the host: our identifier (and the payload magic) tell
  // ours apart. Ping sockets get only their own, with a kernel-chosen identifier.
  const auto id = static_cast<std::uint16_t>(::getpid() & 0xFFFF);
  Family families[2] = {{false, {}, {}, false}, {true, {}, {}, false}};
  std::vector<std::byte> in(kMaxPacket);

  std::function<void(Family&)> read = [&](Family& f) {
    f.readable->async_wait(
        asio::posix::stream_descriptor::wait_read, [&](const boost::system::error_code& ec) {
          if (ec) {
            return;
          }
          while (auto got = f.socket->Receive(in)) {
            const auto parsed = icmp::ParseEchoReply(f.v6, f.socket->with_ip_header(),
                                                     std::span(in).first(got->size));
            if (!parsed.reply || (f.socket->raw() && parsed.reply->id != id)) {
              continue;
            }
            tracker_->Reply(got->from, parsed.reply->seq, clock_.Monotonic(), clock_.Now());
          }
          read(f);
        });
  };
  const auto socket_for = [&](bool v6) -> Family* {
    Family& f = families[v6 ? 1 : 0];
    if (!f.socket) {
      auto opened = io::IcmpSocket::Open(v6);
      if (!opened) {
        if (!f.open_failed_logged) {
          logger_.Error("cannot probe neighbours", {{"err", opened.error().message}});
          f.open_failed_logged = true;
        }
        return nullptr;
      }
      f.socket.emplace(std::move(*opened));
      f.readable.emplace(*io_, ::dup(f.socket->fd()));
      read(f);
      logger_.Info("probing", {{"socket", f.socket->raw() ? "raw" : "ping (unprivileged)"},
                               {"family", v6 ? "ipv6" : "ipv4"}});
    }
    return &f;
  };

  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  std::vector<std::byte> out(kMaxPacket);
  std::function<void(std::size_t)> probe = [&](std::size_t i) {
    const auto& n = config_.neighbors[i];
    timers[i]->expires_at(timers[i]->expiry() + Interval(config_, n));
    timers[i]->async_wait([&, i](const boost::system::error_code& ec) {
      if (!ec) {
        probe(i);
      }
    });
    Family* f = socket_for(n.address.v6);
    const std::uint16_t seq = tracker_->Sent(i, clock_.Monotonic());
    if (f == nullptr) {
      tracker_->SendFailed(i, seq);
      return;
    }
    const std::size_t size = icmp::BuildEchoRequest(n.address.v6, id, seq, n.size, out);
    if (Status s = f->socket->Send(n.address, std::span(out).first(size)); !s) {
      tracker_->SendFailed(i, seq);
      logger_.Debug("probe not sent", {{"neighbor", n.name}, {"err", s.error().message}});
    }
  };
  // Spread the first probes over the interval so the targets do not all send at once.
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < config_.neighbors.size(); ++i) {
    const auto offset = Interval(config_, config_.neighbors[i]) * static_cast<long>(i) /
                        static_cast<long>(config_.neighbors.size());
    timers.push_back(std::make_unique<asio::steady_timer>(*io_, start + offset));
    timers[i]->async_wait([&, i](const boost::system::error_code& ec) {
      if (!ec) {
        probe(i);
      }
    });
  }
  io_->run();
}

Status BgpCollector::Collect(MetricSink& sink) const {
  const auto bounds = PingTracker::BucketBounds();
  const auto now = clock_.Monotonic();
  for (std::size_t i = 0; i < config_.neighbors.size(); ++i) {
    const auto& n = config_.neighbors[i];
    const auto s = tracker_->Get(i, now);
    const Labels id = {{"neighbor", n.name}};
    sink.Gauge("edgewatch_bgp_neighbor_info", "BGP neighbour identity.",
               {{"neighbor", n.name},
                {"address", FormatIpAddress(n.address)},
                {"asn", n.asn == 0 ? "" : std::to_string(n.asn)},
                {"description", n.description}},
               1);
    sink.Gauge("edgewatch_bgp_neighbor_up",
               "1 while the neighbour answers: fewer than `window` probes in a row lost.", id,
               s.up ? 1 : 0);
    sink.Counter("edgewatch_bgp_neighbor_ping_sent_total", "ICMP echo probes sent.", id,
                 static_cast<double>(s.sent));
    sink.Counter("edgewatch_bgp_neighbor_ping_received_total",
                 "Echo replies received within the timeout.", id, static_cast<double>(s.received));
    sink.Counter("edgewatch_bgp_neighbor_ping_duplicates_total",
                 "Echo replies received more than once.", id, static_cast<double>(s.duplicates));
    sink.Counter("edgewatch_bgp_neighbor_ping_send_errors_total", "Probes that could not be sent.",
                 id, static_cast<double>(s.send_errors));
    sink.Histogram("edgewatch_bgp_neighbor_ping_rtt_seconds", "Round-trip time of echo replies.",
                   id, bounds, s.buckets, s.rtt_count, s.rtt_sum_seconds);
    if (s.last_reply) {
      sink.Gauge("edgewatch_bgp_neighbor_last_reply_timestamp_seconds",
                 "When the last echo reply arrived.", id, ToUnixSeconds(*s.last_reply));
    }
  }
  return {};
}

std::unique_ptr<Collector> MakeBgpCollector(const CollectorContext& context) {
  return std::make_unique<BgpCollector>(context.config.bgp, context.clock, context.logger);
}

}  // namespace edgewatch
