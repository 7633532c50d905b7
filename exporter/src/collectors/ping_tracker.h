#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "parsers/net/address.h"

namespace edgewatch {

// Matches ICMP echo replies to the probes that asked for them, for many targets sharing one
// socket (one 16-bit sequence space), and keeps each target's counters, RTT histogram and
// reachability. Time comes in as arguments. Thread-safe (one mutex; probes and replies arrive
// at most a few thousand times a second).
class PingTracker {
 public:
  // RTT histogram upper bounds: 50 us doubling, 20 buckets (as smokeping_prober).
  static constexpr std::size_t kBuckets = 20;
  static std::array<double, kBuckets> BucketBounds();
  // Probes a target may have unanswered at once; older ones count as lost.
  static constexpr std::size_t kMaxPending = 16;

  struct TargetSettings {
    std::optional<net::Address> address;  // none: not probed (a name not resolved yet)
    std::chrono::nanoseconds timeout{std::chrono::seconds(1)};
    std::uint32_t window = 3;  // up while fewer than `window` probes in a row were lost
  };

  struct Stats {
    std::uint64_t received = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t send_errors = 0;
    std::array<std::uint64_t, kBuckets> buckets{};  // cumulative
    std::uint64_t rtt_count = 0;
    double rtt_sum_seconds = 0;
    std::optional<Clock::SystemTime> last_reply;
    bool up = false;

    // Probes sent whose outcome is known: answered, or lost. Those in flight are not yet, and
    // those forgotten when the target's address changed never are, so a scrape between a
    // probe and its reply does not read as loss.
    std::uint64_t settled() const { return received + lost; }
  };

  enum class Match { kAnswered, kDuplicate, kLate, kUnknown };

  // Sequences count up from `first_seq`: a random start makes replies harder to guess.
  explicit PingTracker(std::vector<TargetSettings> targets, std::uint16_t first_seq = 0);

  // Points a target at another address (or none); its pending probes are forgotten, its
  // counters kept.
  void SetAddress(std::size_t target, std::optional<net::Address> address);

  // Registers a probe about to be sent to `target`; returns its sequence number.
  std::uint16_t Sent(std::size_t target, Clock::MonotonicTime now);
  void SendFailed(std::size_t target, std::uint16_t seq);
  // A reply from `from` with sequence `seq` arrived at `now` (`wall` for the timestamp).
  Match Reply(const net::Address& from, std::uint16_t seq, Clock::MonotonicTime now,
              Clock::SystemTime wall);
  // Counters of `target` as of `now` (probes older than the timeout count as lost).
  Stats Get(std::size_t target, Clock::MonotonicTime now);

  std::size_t size() const { return targets_.size(); }

 private:
  struct Pending {
    std::uint16_t seq = 0;
    Clock::MonotonicTime sent;
  };
  struct Target {
    TargetSettings settings;
    std::array<Pending, kMaxPending> pending{};
    std::size_t pending_count = 0;                                         // oldest first
    std::array<std::int32_t, 8> answered{-1, -1, -1, -1, -1, -1, -1, -1};  // recent sequences
    std::size_t answered_next = 0;
    std::uint32_t lost_in_a_row = 0;
    Stats stats;
  };
  static constexpr std::uint32_t kNoTarget = UINT32_MAX;

  void Expire(Target& t, Clock::MonotonicTime now);
  void Remove(Target& t, std::size_t i);

  std::mutex mu_;
  std::vector<Target> targets_;           // guarded by mu_
  std::vector<std::uint32_t> seq_owner_;  // guarded by mu_: 65536 entries
  std::uint16_t next_seq_ = 0;            // guarded by mu_
};

}  // namespace edgewatch
