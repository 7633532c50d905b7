#include "collectors/ping_tracker.h"

#include <algorithm>

namespace edgewatch {

std::array<double, PingTracker::kBuckets> PingTracker::BucketBounds() {
  std::array<double, kBuckets> bounds{};
  double b = 0.00005;
  for (auto& v : bounds) {
    v = b;
    b *= 2;
  }
  return bounds;
}

PingTracker::PingTracker(std::vector<TargetSettings> targets, std::uint16_t first_seq)
    : seq_owner_(65536, kNoTarget), next_seq_(first_seq) {
  for (auto& s : targets) {
    Target t;
    t.settings = s;
    targets_.push_back(t);
  }
}

void PingTracker::SetAddress(std::size_t target, std::optional<net::Address> address) {
  std::lock_guard<std::mutex> lock(mu_);
  Target& t = targets_[target];
  if (t.settings.address == address) {
    return;
  }
  for (std::size_t i = 0; i < t.pending_count; ++i) {
    seq_owner_[t.pending[i].seq] = kNoTarget;
  }
  t.pending_count = 0;
  t.lost_in_a_row = 0;
  t.settings.address = address;
}

void PingTracker::Remove(Target& t, std::size_t i) {
  std::copy(t.pending.begin() + static_cast<std::ptrdiff_t>(i) + 1,
            t.pending.begin() + static_cast<std::ptrdiff_t>(t.pending_count),
            t.pending.begin() + static_cast<std::ptrdiff_t>(i));
  --t.pending_count;
}

void PingTracker::Expire(Target& t, Clock::MonotonicTime now) {
  while (t.pending_count > 0 && now - t.pending[0].sent > t.settings.timeout) {
    seq_owner_[t.pending[0].seq] = kNoTarget;
    Remove(t, 0);
    ++t.stats.lost;
    ++t.lost_in_a_row;
  }
}

std::uint16_t PingTracker::Sent(std::size_t target, Clock::MonotonicTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  Target& t = targets_[target];
  Expire(t, now);
  if (t.pending_count == kMaxPending) {  // an interval far below the timeout: oldest is lost
    seq_owner_[t.pending[0].seq] = kNoTarget;
    Remove(t, 0);
    ++t.stats.lost;
    ++t.lost_in_a_row;
  }
  const std::uint16_t seq = next_seq_++;
  if (seq_owner_[seq] != kNoTarget) {  // the sequence space wrapped onto a pending probe
    Target& old = targets_[seq_owner_[seq]];
    for (std::size_t i = 0; i < old.pending_count; ++i) {
      if (old.pending[i].seq == seq) {
        Remove(old, i);
        ++old.stats.lost;
        ++old.lost_in_a_row;
        break;
      }
    }
  }
  seq_owner_[seq] = static_cast<std::uint32_t>(target);
  t.pending[t.pending_count++] = {seq, now};
  return seq;
}

void PingTracker::SendFailed(std::size_t target, std::uint16_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  Target& t = targets_[target];
  ++t.stats.send_errors;
  for (std::size_t i = 0; i < t.pending_count; ++i) {
    if (t.pending[i].seq == seq) {
      seq_owner_[seq] = kNoTarget;
      Remove(t, i);
      ++t.stats.lost;
      ++t.lost_in_a_row;
      break;
    }
  }
}

PingTracker::Match PingTracker::Reply(const net::Address& from, std::uint16_t seq,
                                      Clock::MonotonicTime now, Clock::SystemTime wall) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::uint32_t owner = seq_owner_[seq];
  if (owner != kNoTarget && targets_[owner].settings.address == from) {
    Target& t = targets_[owner];
    for (std::size_t i = 0; i < t.pending_count; ++i) {
      if (t.pending[i].seq != seq) {
        continue;
      }
      const auto rtt = now - t.pending[i].sent;
      Remove(t, i);
      seq_owner_[seq] = kNoTarget;
      if (rtt > t.settings.timeout) {
        ++t.stats.lost;
        ++t.lost_in_a_row;
        return Match::kLate;
      }
      const double seconds = std::chrono::duration<double>(rtt).count();
      ++t.stats.received;
      ++t.stats.rtt_count;
      t.stats.rtt_sum_seconds += seconds;
      static const auto bounds = BucketBounds();
      for (std::size_t b = 0; b < kBuckets; ++b) {
        if (seconds <= bounds[b]) {
          ++t.stats.buckets[b];
        }
      }
      t.stats.last_reply = wall;
      t.lost_in_a_row = 0;
      t.answered[t.answered_next++ % t.answered.size()] = seq;
      return Match::kAnswered;
    }
  }
  // Not pending: a second answer to a probe already answered, or something else entirely.
  for (auto& t : targets_) {
    if (t.settings.address == from &&
        std::find(t.answered.begin(), t.answered.end(), static_cast<std::int32_t>(seq)) !=
            t.answered.end()) {
      ++t.stats.duplicates;
      return Match::kDuplicate;
    }
  }
  return Match::kUnknown;
}

PingTracker::Stats PingTracker::Get(std::size_t target, Clock::MonotonicTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  Target& t = targets_[target];
  Expire(t, now);
  Stats s = t.stats;
  s.up = t.stats.received > 0 && t.lost_in_a_row < t.settings.window;
  return s;
}

}  // namespace edgewatch
