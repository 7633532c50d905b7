#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "collectors/ping_tracker.h"
#include "config/bgp_config.h"
#include "core/clock.h"
#include "core/logger.h"
#include "io/pinger.h"
#include "io/probe_loop.h"
#include "parsers/expected.h"

namespace edgewatch {

// When the BGP collector probes what: echo probes for every neighbour address at its interval
// (first probes spread over the interval, all that are due in one tick sent as one batch),
// names resolved at the first tick and every resolve_interval (a tenth of it, at least 1 s, after
// a failure), and TCP connections to port 179 every tcp_probe_interval. Replies are matched by
// the PingTracker. Tick(), Reply() and the resolver's and connector's answers run on one thread
// (the probe loop's); Ping() and Tcp() may be called from any thread. All time comes from
// `clock`.
class BgpSchedule {
 public:
  // Addresses probed per neighbour given by name (the first ones in sorted order).
  static constexpr std::size_t kMaxAddresses = 4;
  static constexpr std::uint16_t kBgpPort = 179;

  struct TcpResult {
    bool up = false;
    double seconds = 0;  // how long the attempt took
  };

  // Echo sequences start at `first_seq` (random in production).
  BgpSchedule(const BgpConfig& config, const Clock& clock, io::Pinger& pinger,
              io::Resolver& resolver, io::TcpConnector& tcp, Logger logger,
              std::uint16_t first_seq = 0);

  // Sends every probe that is due, starts due resolutions and TCP checks.
  void Tick();
  // An echo reply arrived from `from`.
  void Reply(const net::Address& from, std::uint16_t seq);
  // Replies with a sequence no probe to their address has (spoofed, or long forgotten). Any
  // thread.
  std::uint64_t RejectedReplies() const { return rejected_.load(std::memory_order_relaxed); }

  // A neighbour's echo counters: the sum over its addresses, up if any of them is.
  PingTracker::Stats Ping(std::size_t neighbor) const;
  // The last TCP check of a neighbour; none before the first one ended.
  std::optional<TcpResult> Tcp(std::size_t neighbor) const;
  // Whether a neighbour's name resolved the last time it was asked (an address always does);
  // none before the first answer. Any thread.
  std::optional<bool> Resolves(std::size_t neighbor) const;

 private:
  struct Neighbor {
    std::chrono::milliseconds interval;
    std::chrono::milliseconds timeout;
    bool tcp_probe = false;
    Clock::MonotonicTime next_resolve;  // names only; max() while a resolution runs
    Clock::MonotonicTime next_tcp;
    std::string resolve_error;  // the last one logged
  };

  void Begin(Clock::MonotonicTime now);
  void Assign(std::size_t n, const std::vector<net::Address>& addresses);
  void Resolved(std::size_t n, const Expected<std::vector<net::Address>>& result);
  void CheckTcp(std::size_t n, Clock::MonotonicTime now);

  const BgpConfig& config_;
  const Clock& clock_;
  io::Pinger& pinger_;
  io::Resolver& resolver_;
  io::TcpConnector& tcp_;
  Logger logger_;
  bool begun_ = false;
  std::vector<Neighbor> neighbors_;
  std::vector<std::optional<net::Address>> addresses_;  // by target: neighbour x kMaxAddresses
  std::vector<Clock::MonotonicTime> next_probe_;        // by target
  // One tick's probes, reused so that a tick does not allocate.
  std::vector<io::EchoProbe> batch_;
  std::vector<std::size_t> batch_targets_;
  std::vector<int> batch_errors_;
  mutable std::unique_ptr<PingTracker> tracker_;  // thread-safe itself
  std::atomic<std::uint64_t> rejected_{0};
  mutable std::mutex tcp_mu_;
  std::vector<std::optional<TcpResult>> tcp_results_;  // guarded by tcp_mu_, per neighbour
  std::vector<std::optional<bool>> resolves_;          // guarded by tcp_mu_, per neighbour
};

}  // namespace edgewatch
