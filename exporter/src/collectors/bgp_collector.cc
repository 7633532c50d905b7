#include "collectors/bgp_collector.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "config/values.h"
#include "io/icmp_socket.h"
#include "parsers/icmp/echo.h"

namespace edgewatch {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxPacket = 9000 + 60;
constexpr std::uint16_t kBgpPort = 179;
// Probes are sent at most this late; RTT is measured from the real send time.
constexpr std::chrono::milliseconds kTick{20};

std::chrono::milliseconds Interval(const BgpConfig& c, const BgpNeighborConfig& n) {
  return n.interval.value_or(c.interval);
}

net::Address FromAsio(const asio::ip::address& a) {
  net::Address out;
  if (a.is_v6()) {
    out.v6 = true;
    const auto bytes = a.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  } else {
    const auto bytes = a.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  }
  return out;
}

asio::ip::address ToAsio(const net::Address& a) {
  if (a.v6) {
    asio::ip::address_v6::bytes_type b;
    std::copy(a.bytes.begin(), a.bytes.end(), b.begin());
    return asio::ip::address_v6(b);
  }
  asio::ip::address_v4::bytes_type b;
  std::copy(a.bytes.begin(), a.bytes.begin() + 4, b.begin());
  return asio::ip::address_v4(b);
}

}  // namespace

// Everything that runs on the prober thread: sockets, timers, the resolver, TCP probes.
class BgpCollector::Prober {
 public:
  explicit Prober(BgpCollector& owner)
      : c_(owner),
        io_(*owner.io_),
        id_(static_cast<std::uint16_t>(::getpid() & 0xFFFF)),
        resolver_(io_),
        in_(io::IcmpSocket::kBatch * kMaxPacket),
        out_(std::make_unique_for_overwrite<std::byte[]>(io::IcmpSocket::kBatch * kMaxPacket)),
        addresses_(owner.config_.neighbors.size() * kMaxAddresses) {}

  void Start() {
    const auto& neighbors = c_.config_.neighbors;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t n = 0; n < neighbors.size(); ++n) {
      if (neighbors[n].address) {
        Assign(n, {*neighbors[n].address});
      } else {
        Resolve(n);
      }
      // Spread the neighbours' first probes over the interval.
      const auto offset = Interval(c_.config_, neighbors[n]) * static_cast<long>(n) /
                          static_cast<long>(neighbors.size());
      for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
        next_probe_.push_back(start + offset);
      }
      if (neighbors[n].tcp_probe.value_or(c_.config_.tcp_probe)) {
        auto& timer = tcp_timers_[n];
        timer = std::make_unique<asio::steady_timer>(io_, start + offset);
        Wait(*timer, [this, n] { TcpProbe(n); });
      }
    }
    Tick();
  }

 private:
  struct Socket {
    io::IcmpSocket icmp;
    asio::posix::stream_descriptor readable;
    int ttl = 0;  // 0: the system default
  };

  template <typename F>
  void Wait(asio::steady_timer& timer, F f) {
    timer.async_wait([f](const boost::system::error_code& ec) {
      if (!ec) {
        f();
      }
    });
  }

  // The socket for a family and source address, opened on first use.
  Socket* SocketFor(bool v6, const std::optional<net::Address>& source) {
    const auto key = std::make_pair(v6, source ? FormatIpAddress(*source) : std::string());
    if (auto it = sockets_.find(key); it != sockets_.end()) {
      return it->second.get();
    }
    auto opened = io::IcmpSocket::Open(v6);
    if (opened && source) {
      sockaddr_storage storage{};
      socklen_t length = v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
      if (v6) {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
        sa->sin6_family = AF_INET6;
        std::memcpy(&sa->sin6_addr, source->bytes.data(), 16);
      } else {
        auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
        sa->sin_family = AF_INET;
        std::memcpy(&sa->sin_addr, source->bytes.data(), 4);
      }
      if (::bind(opened->fd(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        opened = Error{"cannot use source address " + key.second + ": " + std::strerror(errno)};
      }
    }
    if (!opened) {
      if (open_errors_.insert(opened.error().message).second) {
        c_.logger_.Error("cannot probe neighbours", {{"err", opened.error().message}});
      }
      return nullptr;
    }
    auto socket = std::make_unique<Socket>(
        Socket{std::move(*opened), asio::posix::stream_descriptor(io_), 0});
    socket->readable.assign(::dup(socket->icmp.fd()));
    Socket* raw = socket.get();
    sockets_.emplace(key, std::move(socket));
    Read(*raw);
    c_.logger_.Info("probing", {{"socket", raw->icmp.raw() ? "raw" : "ping (unprivileged)"},
                                {"family", v6 ? "ipv6" : "ipv4"},
                                {"source", key.second.empty() ? "default" : key.second}});
    return raw;
  }

  void Read(Socket& s) {
    s.readable.async_wait(
        asio::posix::stream_descriptor::wait_read, [this, &s](const boost::system::error_code& ec) {
          if (ec) {
            return;
          }
          while (const std::size_t n = s.icmp.Receive(in_, kMaxPacket, received_)) {
            for (const auto& got : std::span(received_).first(n)) {
              const auto parsed =
                  icmp::ParseEchoReply(s.icmp.v6(), s.icmp.with_ip_header(), got.data);
              // Raw sockets see every reply on the host (each raw socket a copy); ping sockets
              // only their own, with an identifier the kernel chose. Take a reply on the socket
              // its request left from.
              if (parsed.reply && (!s.icmp.raw() || parsed.reply->id == id_) &&
                  sent_via_[parsed.reply->seq] == &s) {
                c_.tracker_->Reply(got.from, parsed.reply->seq, c_.clock_.Monotonic(),
                                   c_.clock_.Now());
              }
            }
          }
          Read(s);
        });
  }

  void SetTtl(Socket& s, int ttl) {
    if (s.ttl == ttl) {
      return;
    }
    const int level = s.icmp.v6() ? IPPROTO_IPV6 : IPPROTO_IP;
    const int option = s.icmp.v6() ? IPV6_UNICAST_HOPS : IP_TTL;
    const int value = ttl == 0 ? -1 : ttl;  // -1: back to the route's default
    ::setsockopt(s.icmp.fd(), level, option, &value, sizeof value);
    s.ttl = ttl;
  }

  // One wake-up sends every probe that is due: a timer per target would wake the thread a
  // thousand times a second for a thousand targets.
  void Tick() {
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t target = 0; target < next_probe_.size(); ++target) {
      if (next_probe_[target] > now) {
        continue;
      }
      const auto interval = Interval(c_.config_, c_.config_.neighbors[target / kMaxAddresses]);
      next_probe_[target] += interval;
      if (next_probe_[target] <= now) {  // fell behind (a stall): no burst to catch up
        next_probe_[target] = now + interval;
      }
      Probe(target / kMaxAddresses, target % kMaxAddresses);
    }
    Flush();
    tick_.expires_at(now + kTick);
    Wait(tick_, [this] { Tick(); });
  }

  void Probe(std::size_t n, std::size_t slot) {
    const auto& neighbor = c_.config_.neighbors[n];
    const std::size_t target = n * kMaxAddresses + slot;
    const auto address = addresses_[target];
    if (!address) {
      return;  // no address in this slot (yet)
    }
    Socket* s = SocketFor(address->v6, neighbor.source);
    const std::uint16_t seq = c_.tracker_->Sent(target, c_.clock_.Monotonic());
    if (s == nullptr) {
      c_.tracker_->SendFailed(target, seq);
      return;
    }
    const int ttl = static_cast<int>(neighbor.ttl.value_or(0));
    if (batched_ == io::IcmpSocket::kBatch ||
        (batched_ > 0 && (batch_socket_ != s || s->ttl != ttl))) {
      Flush();
    }
    SetTtl(*s, ttl);
    sent_via_[seq] = s;
    const std::span<std::byte> packet(out_.get() + batched_ * kMaxPacket, kMaxPacket);
    const std::size_t size = icmp::BuildEchoRequest(address->v6, id_, seq, neighbor.size, packet);
    batch_socket_ = s;
    batch_[batched_] = {*address, packet.first(size)};
    batch_probes_[batched_] = {target, seq};
    ++batched_;
  }

  // Sends the batched probes, all for one socket, in as few system calls as they allow.
  void Flush() {
    for (std::size_t done = 0; done < batched_;) {
      const auto result = batch_socket_->icmp.Send(std::span(batch_).first(batched_).subspan(done));
      done += result.sent;
      if (done < batched_) {
        const auto [target, seq] = batch_probes_[done];
        c_.tracker_->SendFailed(target, seq);
        c_.logger_.Debug("probe not sent",
                         {{"neighbor", c_.config_.neighbors[target / kMaxAddresses].name},
                          {"err", std::strerror(result.error)}});
        ++done;
      }
    }
    batched_ = 0;
  }

  void Assign(std::size_t n, const std::vector<net::Address>& addresses) {
    for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
      const auto address = slot < addresses.size() ? std::optional(addresses[slot]) : std::nullopt;
      addresses_[n * kMaxAddresses + slot] = address;
      c_.tracker_->SetAddress(n * kMaxAddresses + slot, address);
    }
  }

  void Resolve(std::size_t n) {
    resolver_.async_resolve(
        c_.config_.neighbors[n].host, "",
        [this, n](const boost::system::error_code& ec,
                  const asio::ip::udp::resolver::results_type& results) {
          const auto& neighbor = c_.config_.neighbors[n];
          auto retry = c_.config_.resolve_interval;
          if (ec) {
            retry = std::max<std::chrono::milliseconds>(retry / 10, std::chrono::seconds(1));
            if (resolve_errors_[n] != ec.message()) {
              c_.logger_.Warn(
                  "cannot resolve neighbour; retrying",
                  {{"neighbor", neighbor.name}, {"host", neighbor.host}, {"err", ec.message()}});
              resolve_errors_[n] = ec.message();
            }
          } else {
            std::vector<net::Address> addresses;
            for (const auto& entry : results) {
              const auto a = FromAsio(entry.endpoint().address());
              if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) {
                addresses.push_back(a);
              }
            }
            std::sort(addresses.begin(), addresses.end());
            addresses.resize(std::min(addresses.size(), kMaxAddresses));
            Assign(n, addresses);
            resolve_errors_[n].clear();
          }
          auto& timer = resolve_timers_[n];
          if (!timer) {
            timer = std::make_unique<asio::steady_timer>(io_);
          }
          timer->expires_after(retry);
          Wait(*timer, [this, n] { Resolve(n); });
        });
  }

  void TcpProbe(std::size_t n) {
    auto& timer = *tcp_timers_[n];
    timer.expires_at(timer.expiry() + c_.config_.tcp_probe_interval);
    Wait(timer, [this, n] { TcpProbe(n); });
    const auto address = addresses_[n * kMaxAddresses];
    if (!address) {
      return;
    }
    struct Attempt {
      tcp::socket socket;
      asio::steady_timer deadline;
      std::chrono::steady_clock::time_point start;
    };
    auto attempt = std::make_shared<Attempt>(
        Attempt{tcp::socket(io_), asio::steady_timer(io_), std::chrono::steady_clock::now()});
    attempt->deadline.expires_after(c_.config_.neighbors[n].timeout.value_or(c_.config_.timeout));
    attempt->deadline.async_wait([attempt](const boost::system::error_code& ec) {
      if (!ec) {
        boost::system::error_code ignored;
        attempt->socket.close(ignored);
      }
    });
    attempt->socket.async_connect(
        tcp::endpoint(ToAsio(*address), kBgpPort),
        [this, n, attempt](const boost::system::error_code& ec) {
          attempt->deadline.cancel();
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - attempt->start)
                  .count();
          std::lock_guard<std::mutex> lock(c_.tcp_mu_);
          c_.tcp_[n] = TcpResult{!ec, seconds};
        });
  }

  BgpCollector& c_;
  asio::io_context& io_;
  std::uint16_t id_;
  asio::ip::udp::resolver resolver_;
  std::vector<std::byte> in_;  // kBatch datagrams of up to kMaxPacket
  std::array<io::IcmpSocket::Received, io::IcmpSocket::kBatch> received_;
  // Probes built in one tick, sent together: kBatch packets of up to kMaxPacket in out_.
  std::unique_ptr<std::byte[]> out_;
  std::array<io::IcmpSocket::Outgoing, io::IcmpSocket::kBatch> batch_;
  std::array<std::pair<std::size_t, std::uint16_t>, io::IcmpSocket::kBatch> batch_probes_;
  std::size_t batched_ = 0;
  Socket* batch_socket_ = nullptr;
  std::map<std::pair<bool, std::string>, std::unique_ptr<Socket>> sockets_;
  std::vector<const Socket*> sent_via_ = std::vector<const Socket*>(65536);  // by sequence
  std::set<std::string> open_errors_;
  std::vector<std::chrono::steady_clock::time_point> next_probe_;  // by target
  asio::steady_timer tick_{io_};
  std::map<std::size_t, std::unique_ptr<asio::steady_timer>> tcp_timers_;
  std::map<std::size_t, std::unique_ptr<asio::steady_timer>> resolve_timers_;
  std::map<std::size_t, std::string> resolve_errors_;
  std::vector<std::optional<net::Address>> addresses_;  // by target
};

BgpCollector::BgpCollector(const BgpConfig& config, const Clock& clock, Logger logger)
    : config_(config), clock_(clock), logger_(std::move(logger)), tcp_(config.neighbors.size()) {
  std::vector<PingTracker::TargetSettings> targets;
  for (const auto& n : config_.neighbors) {
    for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
      targets.push_back({std::nullopt, n.timeout.value_or(config_.timeout),
                         static_cast<std::uint32_t>(config_.window)});
    }
  }
  tracker_ = std::make_unique<PingTracker>(std::move(targets));
}

BgpCollector::~BgpCollector() { Stop(); }

Status BgpCollector::Start() {
  if (config_.neighbors.empty()) {
    return {};
  }
  io_ = std::make_unique<asio::io_context>();
  thread_ = std::thread([this] {
    Prober prober(*this);
    prober.Start();
    io_->run();
  });
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

Status BgpCollector::Collect(MetricSink& sink) const {
  const auto bounds = PingTracker::BucketBounds();
  const auto now = clock_.Monotonic();
  for (std::size_t n = 0; n < config_.neighbors.size(); ++n) {
    const auto& neighbor = config_.neighbors[n];
    // A neighbour is the sum of its addresses; it is up if any of them is.
    PingTracker::Stats total;
    for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
      const auto s = tracker_->Get(n * kMaxAddresses + slot, now);
      total.sent += s.sent;
      total.received += s.received;
      total.duplicates += s.duplicates;
      total.send_errors += s.send_errors;
      total.rtt_count += s.rtt_count;
      total.rtt_sum_seconds += s.rtt_sum_seconds;
      for (std::size_t b = 0; b < PingTracker::kBuckets; ++b) {
        total.buckets[b] += s.buckets[b];
      }
      if (s.last_reply && (!total.last_reply || *s.last_reply > *total.last_reply)) {
        total.last_reply = s.last_reply;
      }
      total.up = total.up || s.up;
    }
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
    std::lock_guard<std::mutex> lock(tcp_mu_);
    if (tcp_[n]) {
      sink.Gauge("edgewatch_bgp_neighbor_tcp_connect_up",
                 "1 if the last TCP connection to port 179 succeeded.", id, tcp_[n]->up ? 1 : 0);
      sink.Gauge("edgewatch_bgp_neighbor_tcp_connect_duration_seconds",
                 "How long the last TCP connection attempt to port 179 took.", id,
                 tcp_[n]->seconds);
    }
  }
  return {};
}

std::unique_ptr<Collector> MakeBgpCollector(const CollectorContext& context) {
  return std::make_unique<BgpCollector>(context.config.bgp, context.clock, context.logger);
}

}  // namespace edgewatch
