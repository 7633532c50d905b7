#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "core/top_k.h"
#include "parsers/net/address.h"
#include "parsers/net/frame.h"
#include "parsers/ntp/ntp.h"
#include "parsers/reflection/vectors.h"

namespace edgewatch {

enum class Direction : std::uint8_t { kIn, kOut, kTransit };
inline constexpr int kDirectionCount = 3;
const char* DirectionName(Direction d);
const char* SideName(reflection::Side s);

// Remembers recent requests (local host -> remote service) so that responses arriving without
// one can be told apart: those are reflected traffic aimed at the local host. Fixed memory:
// `capacity` slots (rounded up to a power of two, at least 16) of 48 bytes, in buckets of 8. A
// key may sit in either of two buckets (two hashes); a new key takes a slot that is free or
// expired (older than the timeout) in either, else displaces entries to their other buckets
// (a cuckoo walk of at most 8 steps), and only when that fails is one request forgotten -
// counted, since its answer would then look unsolicited. The table holds 92 % of its slots
// live (tested) before it forgets any. Single-threaded.
class RequestTable {
 public:
  RequestTable(std::size_t capacity, std::int64_t timeout_ns);

  // Remembers the request; false if a live one had to be forgotten to make room.
  bool Record(const net::Address& local, const net::Address& remote, reflection::Vector vector,
              std::int64_t now_ns);
  // True if `local` sent `vector` a request to `remote` within the timeout before `now_ns`.
  bool Solicited(const net::Address& local, const net::Address& remote, reflection::Vector vector,
                 std::int64_t now_ns) const;

  std::size_t slots() const { return slots_.size(); }

 private:
  struct Slot {
    net::Address local;
    net::Address remote;
    std::int64_t last_ns = INT64_MIN;  // INT64_MIN: empty
    reflection::Vector vector{};
  };
  static constexpr std::size_t kBucket = 8;  // walk_ >> 61 picks one of them
  static constexpr int kMaxSteps = 8;

  // The first slot of each of the key's two buckets.
  std::array<std::size_t, 2> Buckets(const net::Address& local, const net::Address& remote,
                                     reflection::Vector vector) const;
  bool Live(const Slot& s, std::int64_t now_ns) const {
    return s.last_ns != INT64_MIN && now_ns - s.last_ns <= timeout_ns_;
  }
  // The bucket of `s` that is not `bucket`.
  std::size_t OtherBucket(const Slot& s, std::size_t bucket) const;
  // A free or expired slot of the bucket at `first`, or null.
  Slot* Room(std::size_t first, std::int64_t now_ns);

  std::vector<Slot> slots_;
  std::size_t bucket_mask_;  // over bucket numbers
  std::int64_t timeout_ns_;
  std::uint64_t walk_ = 0;  // the cuckoo walk's pseudo-random state
};

struct ReflectionSettings {
  std::vector<net::Prefix> local_networks;
  std::uint32_t vector_mask = 0;          // bit i: reflection::Vector i enabled
  std::vector<net::Address> ntp_servers;  // reflector view; the rest is "other"
  std::size_t top_k = 10;
  std::int64_t window_ns = 300'000'000'000;
  std::int64_t request_timeout_ns = 30'000'000'000;
  std::size_t request_table_size = 65536;
};

// Everything the reflection collector counts, as plain numbers.
struct ReflectionCounts {
  struct PacketsBytes {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;  // UDP payload bytes
  };
  std::array<std::array<PacketsBytes, ntp::kModeCount>, kDirectionCount> ntp{};
  std::array<std::array<PacketsBytes, 2>, kDirectionCount> monlist{};  // [direction][side]
  std::array<std::array<std::array<PacketsBytes, 2>, kDirectionCount>, reflection::kVectorCount>
      vectors{};  // [vector][dir][side]
  std::array<PacketsBytes, reflection::kVectorCount> unsolicited{};
  std::vector<PacketsBytes> server_requests;   // per configured server, then "other"
  std::vector<PacketsBytes> server_responses;  // same order
  std::array<std::uint64_t, net::kDecodeErrorCount> decode_errors{};
  std::uint64_t ntp_malformed = 0;
  std::uint64_t fragments = 0;
  std::uint64_t frames = 0;
  std::uint64_t request_evictions = 0;  // live requests forgotten for room
};

// The reflection collector's domain state: one writer (the capture thread) feeds frames, any
// thread reads. Counters are atomics written only by that writer; the top-K tables sit behind
// a mutex that only scrapes contend for. No allocation and no label lookups per frame.
class ReflectionState {
 public:
  explicit ReflectionState(ReflectionSettings settings);
  std::size_t request_table_slots() const { return requests_.slots(); }

  // Decodes, classifies and counts one captured frame. Writer thread only.
  void OnFrame(std::int64_t timestamp_ns, int link_type, std::span<const std::byte> bytes);

  ReflectionCounts Counts() const;
  // Top local targets of unsolicited responses per vector, as of `now_ns`.
  TopList<net::Address> TopTargets(reflection::Vector vector, std::int64_t now_ns) const;
  // Timestamp of the newest frame seen (0 before any).
  std::int64_t last_frame_ns() const { return last_frame_ns_.load(std::memory_order_relaxed); }

  // Replaces the local networks (a reload reading the interface's addresses again, counters
  // kept); any thread. The writer takes them up at its next frame.
  void SetLocalNetworks(std::vector<net::Prefix> networks);

 private:
  // Single-writer counter: a relaxed load and store, no read-modify-write.
  struct Counter {
    std::atomic<std::uint64_t> value{0};
    void Add(std::uint64_t n) {
      value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::uint64_t Get() const { return value.load(std::memory_order_relaxed); }
  };
  struct PacketsBytes {
    Counter packets;
    Counter bytes;
    void Add(std::uint64_t b) {
      packets.Add(1);
      bytes.Add(b);
    }
    ReflectionCounts::PacketsBytes Get() const { return {packets.Get(), bytes.Get()}; }
  };

  // Writer: takes up what SetLocalNetworks() left, if anything.
  void TakeUpLocalNetworks();
  bool IsLocal(const net::Address& a) const;
  std::size_t ServerIndex(const net::Address& a) const;

  ReflectionSettings settings_;
  std::array<std::array<PacketsBytes, ntp::kModeCount>, kDirectionCount> ntp_;
  std::array<std::array<PacketsBytes, 2>, kDirectionCount> monlist_;
  std::array<std::array<std::array<PacketsBytes, 2>, kDirectionCount>, reflection::kVectorCount>
      vectors_;
  std::array<PacketsBytes, reflection::kVectorCount> unsolicited_;
  std::vector<PacketsBytes> server_requests_;
  std::vector<PacketsBytes> server_responses_;
  std::array<Counter, net::kDecodeErrorCount> decode_errors_;
  Counter ntp_malformed_;
  Counter fragments_;
  Counter request_evictions_;
  std::mutex local_mu_;
  std::vector<net::Prefix> next_local_;             // guarded by local_mu_
  std::atomic<std::uint64_t> local_generation_{0};  // bumped by each SetLocalNetworks()
  std::uint64_t taken_generation_ = 0;              // writer only
  Counter frames_;
  std::atomic<std::int64_t> last_frame_ns_{0};

  RequestTable requests_;  // writer thread only
  mutable std::mutex top_mu_;
  mutable std::vector<WindowedTopK<net::Address>> top_;  // guarded by top_mu_, one per vector
};

}  // namespace edgewatch
