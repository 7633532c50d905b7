#include "collectors/bgp_schedule.h"

#include <algorithm>
#include <cstring>

namespace edgewatch {

BgpSchedule::BgpSchedule(const BgpConfig& config, const Clock& clock, io::Pinger& pinger,
                         io::Resolver& resolver, io::TcpConnector& tcp, Logger logger,
                         std::uint16_t first_seq)
    : config_(config),
      clock_(clock),
      pinger_(pinger),
      resolver_(resolver),
      tcp_(tcp),
      logger_(std::move(logger)),
      addresses_(config.neighbors.size() * kMaxAddresses),
      next_probe_(config.neighbors.size() * kMaxAddresses),
      tcp_results_(config.neighbors.size()),
      resolves_(config.neighbors.size()) {
  std::vector<PingTracker::TargetSettings> targets;
  for (const auto& n : config_.neighbors) {
    neighbors_.push_back({n.interval.value_or(config_.interval),
                          n.timeout.value_or(config_.timeout),
                          n.tcp_probe.value_or(config_.tcp_probe),
                          {},
                          {},
                          {}});
    for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
      targets.push_back(
          {std::nullopt, neighbors_.back().timeout, static_cast<std::uint32_t>(config_.window)});
    }
  }
  tracker_ = std::make_unique<PingTracker>(std::move(targets), first_seq);
  batch_.reserve(addresses_.size());
  batch_targets_.reserve(addresses_.size());
  batch_errors_.reserve(addresses_.size());
}

void BgpSchedule::Begin(Clock::MonotonicTime now) {
  begun_ = true;
  for (std::size_t n = 0; n < neighbors_.size(); ++n) {
    if (config_.neighbors[n].address) {
      Assign(n, {*config_.neighbors[n].address});
    }
    // Spread the neighbours' first probes over the interval.
    const auto offset =
        neighbors_[n].interval * static_cast<long>(n) / static_cast<long>(neighbors_.size());
    for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
      next_probe_[n * kMaxAddresses + slot] = now + offset;
    }
    neighbors_[n].next_resolve = now;
    neighbors_[n].next_tcp = now + offset;
  }
}

void BgpSchedule::Tick() {
  const auto now = clock_.Monotonic();
  if (!begun_) {
    Begin(now);
  }
  for (std::size_t n = 0; n < neighbors_.size(); ++n) {
    Neighbor& neighbor = neighbors_[n];
    if (!config_.neighbors[n].address && neighbor.next_resolve <= now) {
      neighbor.next_resolve = Clock::MonotonicTime::max();
      resolver_.Resolve(config_.neighbors[n].host,
                        [this, n](Expected<std::vector<net::Address>> r) { Resolved(n, r); });
    }
    if (neighbor.tcp_probe && neighbor.next_tcp <= now) {
      CheckTcp(n, now);
    }
  }
  batch_.clear();
  batch_targets_.clear();
  for (std::size_t target = 0; target < next_probe_.size(); ++target) {
    if (next_probe_[target] > now) {
      continue;
    }
    const std::size_t n = target / kMaxAddresses;
    const auto interval = neighbors_[n].interval;
    next_probe_[target] += interval;
    if (next_probe_[target] <= now) {  // fell behind (a stall): no burst to catch up
      next_probe_[target] = now + interval;
    }
    if (!addresses_[target]) {
      continue;  // no address in this slot (yet)
    }
    const auto& c = config_.neighbors[n];
    batch_.push_back({*addresses_[target], c.source, static_cast<int>(c.ttl.value_or(0)), c.size,
                      tracker_->Sent(target, now)});
    batch_targets_.push_back(target);
  }
  if (batch_.empty()) {
    return;
  }
  batch_errors_.assign(batch_.size(), 0);
  pinger_.Send(batch_, batch_errors_);
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    if (batch_errors_[i] != 0) {
      tracker_->SendFailed(batch_targets_[i], batch_[i].seq);
      logger_.Debug("probe not sent",
                    {{"neighbor", config_.neighbors[batch_targets_[i] / kMaxAddresses].name},
                     {"err", std::strerror(batch_errors_[i])}});
    }
  }
}

void BgpSchedule::Reply(const net::Address& from, std::uint16_t seq) {
  if (tracker_->Reply(from, seq, clock_.Monotonic(), clock_.Now()) ==
      PingTracker::Match::kUnknown) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
  }
}

void BgpSchedule::Assign(std::size_t n, const std::vector<net::Address>& addresses) {
  for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
    const auto address = slot < addresses.size() ? std::optional(addresses[slot]) : std::nullopt;
    const std::size_t target = n * kMaxAddresses + slot;
    if (addresses_[target] != address) {
      addresses_[target] = address;
      tracker_->SetAddress(target, address);
    }
  }
}

void BgpSchedule::Resolved(std::size_t n, const Expected<std::vector<net::Address>>& result) {
  const auto& c = config_.neighbors[n];
  Neighbor& neighbor = neighbors_[n];
  auto retry = config_.resolve_interval;
  {
    std::lock_guard<std::mutex> lock(tcp_mu_);
    resolves_[n] = result.ok();
  }
  if (!result) {
    retry = std::max<std::chrono::milliseconds>(retry / 10, std::chrono::seconds(1));
    if (neighbor.resolve_error != result.error().message) {
      logger_.Warn("cannot resolve neighbour; retrying",
                   {{"neighbor", c.name}, {"host", c.host}, {"err", result.error().message}});
      neighbor.resolve_error = result.error().message;
    }
  } else {
    auto addresses = *result;
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    addresses.resize(std::min(addresses.size(), kMaxAddresses));
    Assign(n, addresses);
    neighbor.resolve_error.clear();
  }
  neighbor.next_resolve = clock_.Monotonic() + retry;
}

std::optional<bool> BgpSchedule::Resolves(std::size_t neighbor) const {
  if (config_.neighbors[neighbor].address) {
    return true;  // an address needs no resolving
  }
  std::lock_guard<std::mutex> lock(tcp_mu_);
  return resolves_[neighbor];
}

void BgpSchedule::CheckTcp(std::size_t n, Clock::MonotonicTime now) {
  Neighbor& neighbor = neighbors_[n];
  neighbor.next_tcp += config_.tcp_probe_interval;
  if (neighbor.next_tcp <= now) {
    neighbor.next_tcp = now + config_.tcp_probe_interval;
  }
  const auto& address = addresses_[n * kMaxAddresses];
  if (!address) {
    return;
  }
  tcp_.Connect(*address, kBgpPort, neighbor.timeout, [this, n, now](bool connected) {
    const double seconds = std::chrono::duration<double>(clock_.Monotonic() - now).count();
    std::lock_guard<std::mutex> lock(tcp_mu_);
    tcp_results_[n] = TcpResult{connected, seconds};
  });
}

PingTracker::Stats BgpSchedule::Ping(std::size_t neighbor) const {
  const auto now = clock_.Monotonic();
  PingTracker::Stats total;
  for (std::size_t slot = 0; slot < kMaxAddresses; ++slot) {
    const auto s = tracker_->Get(neighbor * kMaxAddresses + slot, now);
    total.received += s.received;
    total.lost += s.lost;
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
  return total;
}

std::optional<BgpSchedule::TcpResult> BgpSchedule::Tcp(std::size_t neighbor) const {
  std::lock_guard<std::mutex> lock(tcp_mu_);
  return tcp_results_[neighbor];
}

}  // namespace edgewatch
