#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "core/timed_table.h"
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

// Remembers recent requests (local host -> any service) so that responses arriving without
// one can be told apart: those are reflected traffic aimed at the local host. A TimedTable of
// `capacity` slots of 48 bytes; a request it has to forget for room is reported, since its
// answer would then look unsolicited.
class RequestTable {
 public:
  RequestTable(std::size_t capacity, std::int64_t timeout_ns) : table_(capacity, timeout_ns) {}

  // Remembers the request; false if a live one had to be forgotten to make room.
  bool Record(const net::Address& local, const net::Address& remote, reflection::Vector vector,
              std::int64_t now_ns) {
    return table_.Record({local, remote, vector}, {}, now_ns);
  }
  // True if `local` sent `vector` a request to `remote` within the timeout before `now_ns`.
  bool Solicited(const net::Address& local, const net::Address& remote, reflection::Vector vector,
                 std::int64_t now_ns) const {
    return table_.Find({local, remote, vector}, now_ns) != nullptr;
  }

  std::size_t slots() const { return table_.slots(); }

 private:
  struct Key {
    net::Address local;
    net::Address remote;
    reflection::Vector vector{};
    // The remote first: a probe mostly meets other remotes of the same local host.
    friend bool operator==(const Key& a, const Key& b) {
      return a.vector == b.vector && a.remote == b.remote && a.local == b.local;
    }
  };
  struct KeyHash {
    std::uint64_t operator()(const Key& k) const;
  };
  struct Nothing {};
  TimedTable<Key, Nothing, KeyHash> table_;
};

// What the first fragment of a fragmented datagram was counted as, so its later fragments'
// bytes go to the same counters.
struct FragmentOrigin {
  bool watched = false;  // a vector's datagram; else later fragments are only counted
  reflection::Vector vector{};
  reflection::Side side{};
  std::uint8_t direction = 0;
  bool src_local = false;
  bool unsolicited = false;
  std::uint8_t ntp_mode = 0xFF;  // 0xFF: not NTP (or not parsed)
  bool monlist = false;
  std::uint16_t server = 0xFFFF;  // the reflector view's index, 0xFFFF: none
};

// Fragments of one datagram share source, destination and identification (the protocol is UDP
// for all that reach this table). 4096 slots, 2 s: fragments of one datagram follow each other
// within milliseconds, and the slot is freed at the last one.
inline constexpr std::size_t kFragmentTableSlots = 4096;
inline constexpr std::int64_t kFragmentTimeoutNs = 2'000'000'000;

struct ReflectionSettings {
  std::vector<net::Prefix> local_networks;
  std::uint32_t vector_mask = 0;          // bit i: reflection::Vector i enabled
  std::vector<net::Address> ntp_servers;  // reflector view; the rest is "other"
  std::size_t top_k = 10;
  std::int64_t window_ns = 300'000'000'000;
  std::int64_t request_timeout_ns = 30'000'000'000;
  std::size_t request_table_size = 65536;
};

// A UDP flow a router exported (NetFlow, IPFIX): no payload, so judged by its ports alone,
// and NTP's mode only by its mean size (ntp::MeanSizeSaysMonlist).
struct UdpFlow {
  net::Address src;
  net::Address dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint64_t packets = 0;        // the record's, before sampling
  std::uint64_t payload_bytes = 0;  // UDP payload, before sampling
  std::uint32_t weight = 1;         // 1 in `weight` packets sampled
};

// The protocols spoofed egress is counted by.
enum class SpoofedProtocol : std::uint8_t { kUdp, kTcp, kIcmp, kOther };
inline constexpr int kSpoofedProtocolCount = 4;
const char* SpoofedProtocolName(SpoofedProtocol p);

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
  // Later fragments of UDP datagrams: their first fragment was a vector's (attributed), another
  // UDP datagram's (not_watched), or not seen (lost, out of order, forgotten for room).
  std::uint64_t fragments_attributed = 0;
  std::uint64_t fragments_not_watched = 0;
  std::uint64_t fragments_unmatched = 0;
  std::uint64_t fragment_evictions = 0;  // first fragments forgotten for room
  // Frames inside a tunnel by the innermost one: decoded, and not decodable.
  std::array<std::uint64_t, net::kEncapsulationCount> encapsulated{};
  std::array<std::uint64_t, net::kEncapsulationCount> undecoded{};
  // Packets a cooked capture saw leave with a source outside the local networks (BCP 38), by
  // vector (the last index: none, for other UDP and other protocols) and SpoofedProtocol.
  std::array<std::array<std::uint64_t, kSpoofedProtocolCount>, reflection::kVectorCount + 1>
      spoofed_egress{};
};

// The reflector view of one vector: the local hosts that answered remote hosts most, with what
// they were asked, and the remote hosts they answered most.
struct ReflectorView {
  TopList<net::Address> reflectors;  // by response bytes sent to remote hosts
  // Request bytes each listed reflector surely got from remote hosts (same order; 0 when it is
  // not among the most-asked local hosts, whose table is as large as the reflectors').
  std::vector<std::uint64_t> asked;
  TopList<net::Address> victims;  // remote destinations of those responses
};

// The reflection collector's domain state: one writer (the capture thread) feeds frames, any
// thread reads. Counters are atomics written only by that writer; the top-K tables sit behind
// a mutex that only scrapes contend for. No allocation and no label lookups per frame.
class ReflectionState {
 public:
  explicit ReflectionState(ReflectionSettings settings);
  std::size_t request_table_slots() const { return requests_.slots(); }
  std::size_t fragment_table_slots() const { return fragments_table_.slots(); }

  // Decodes, classifies and counts one captured frame. Writer thread only. A sampled frame
  // (sFlow, 1 in `weight`) stands for `weight` packets: its packets and bytes count `weight`
  // times, in the counters and the top-K; decode errors and frames count samples.
  void OnFrame(std::int64_t timestamp_ns, int link_type, std::span<const std::byte> bytes,
               std::uint32_t weight = 1);
  // The UDP flows of one export datagram, requests first: an exporter sends both sides of a
  // conversation together, in any order, and an answer is unsolicited only if no request of
  // its host came before it. Frames count flows. Writer thread only.
  void OnUdpFlows(std::int64_t timestamp_ns, std::span<const UdpFlow> flows);
  // A frame of the spoofed-egress capture: outbound, from a source outside the local networks
  // (its filter says so). Counts it by vector and protocol, nothing else. The one thread of
  // that capture only; OnFrame then never counts spoofed egress (its link has no direction).
  void OnEgressFrame(std::int64_t timestamp_ns, int link_type, std::span<const std::byte> bytes);

  ReflectionCounts Counts() const;
  // Top local targets of unsolicited responses per vector, as of `now_ns`.
  TopList<net::Address> TopTargets(reflection::Vector vector, std::int64_t now_ns) const;
  // Evictions of the four top-K lists of `vector` (targets, reflectors, asked, victims).
  std::array<std::uint64_t, 4> TopReplacements(reflection::Vector vector) const;
  // Local reflectors and their victims per vector, as of `now_ns`.
  ReflectorView Reflectors(reflection::Vector vector, std::int64_t now_ns) const;
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
    void Add(std::uint64_t b, std::uint64_t p) {
      packets.Add(p);
      bytes.Add(b);
    }
    ReflectionCounts::PacketsBytes Get() const { return {packets.Get(), bytes.Get()}; }
  };

  // Writer: takes up what SetLocalNetworks() left, if anything.
  void TakeUpLocalNetworks();
  bool IsLocal(const net::Address& a) const;
  std::size_t ServerIndex(const net::Address& a) const;
  // Counts what a classified datagram (or flow) is: its direction, NTP server, and whether it
  // is a request a local host sent (remembered) or an unsolicited answer to one.
  FragmentOrigin Attribute(const net::Address& src, const net::Address& dst,
                           reflection::Match match, std::int64_t now_ns);
  // Adds `bytes` and `packets` to every counter `origin` names.
  void Count(const FragmentOrigin& origin, const net::Address& src, const net::Address& dst,
             std::uint64_t bytes, std::uint64_t packets, std::int64_t now_ns);
  void OnUdpFlow(const UdpFlow& flow, reflection::Match match, std::int64_t now_ns);
  void OnLaterFragment(const net::Frame& frame, std::int64_t now_ns);
  // A packet that left with a source that is not local.
  void CountSpoofedEgress(const net::Frame& frame);

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
  Counter fragments_attributed_;
  Counter fragments_not_watched_;
  Counter fragments_unmatched_;
  Counter fragment_evictions_;
  std::array<Counter, net::kEncapsulationCount> encapsulated_;
  std::array<Counter, net::kEncapsulationCount> undecoded_;
  std::array<std::array<Counter, kSpoofedProtocolCount>, reflection::kVectorCount + 1>
      spoofed_egress_;
  std::mutex local_mu_;
  std::vector<net::Prefix> next_local_;             // guarded by local_mu_
  std::atomic<std::uint64_t> local_generation_{0};  // bumped by each SetLocalNetworks()
  std::uint64_t taken_generation_ = 0;              // writer only
  Counter frames_;
  std::atomic<std::int64_t> last_frame_ns_{0};

  net::Frame frame_;          // writer thread only: the frame being decoded, reused
  std::uint32_t weight_ = 1;  // writer thread only: the packets the frame stands for
  RequestTable requests_;     // writer thread only
  struct FragmentKey {
    net::Address src;
    net::Address dst;
    std::uint32_t id = 0;
    friend bool operator==(const FragmentKey& a, const FragmentKey& b) {
      return a.id == b.id && a.src == b.src && a.dst == b.dst;
    }
  };
  struct FragmentKeyHash {
    std::uint64_t operator()(const FragmentKey& k) const;
  };
  TimedTable<FragmentKey, FragmentOrigin, FragmentKeyHash> fragments_table_;  // writer only
  mutable std::mutex top_mu_;
  // Guarded by top_mu_, one per vector: unsolicited targets, local hosts answering remote ones
  // and asked by them, and the remote hosts answered.
  mutable std::vector<WindowedTopK<net::Address>> top_;
  mutable std::vector<WindowedTopK<net::Address>> reflectors_;
  mutable std::vector<WindowedTopK<net::Address>> asked_;
  mutable std::vector<WindowedTopK<net::Address>> victims_;
};

}  // namespace edgewatch
