#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "parsers/flow/netflow.h"
#include "parsers/flow/sflow.h"
#include "parsers/net/address.h"

namespace edgewatch {

// Why a flow datagram, or a sample in it, could not be read.
enum class FlowError : std::uint8_t {
  kTruncated,        // a length points past the datagram's end
  kVersion,          // not a version this collector reads
  kAddressType,      // an agent address of an unknown type
  kOversize,         // longer than the receive buffer: cut short
  kHeaderProtocol,   // a sampled header of a protocol other than Ethernet, IPv4, IPv6
  kTemplate,         // a NetFlow v9 / IPFIX template this collector cannot hold
  kUnknownTemplate,  // a data set whose template has not arrived (yet): its records are lost
};
inline constexpr int kFlowErrorCount = 7;
const char* FlowErrorName(FlowError e);

// The health of each flow exporter (agent) and the interface counters agents send: one writer
// (the receiving thread) and scrapes. Bounded: `max_agents` agents by their UDP source and
// protocol, the rest together as "other" (per protocol); `max_interfaces` interfaces, the rest
// not kept and counted. A sequence is followed per agent and domain (sFlow sub-agent, v9 source
// ID, IPFIX observation domain) for the first kDomains domains of each agent.
class FlowAgents {
 public:
  static constexpr std::size_t kDomains = 4;

  FlowAgents(std::size_t max_agents, std::size_t max_interfaces);

  // The agent's slot, taken on first sight; past max_agents, the protocol's "other" slot.
  std::size_t Slot(const net::Address& sender, flow::FlowProtocol protocol);
  void Datagram(std::size_t slot, std::int64_t wall_ns);
  // A datagram's sequence number, and how far it moves the next one on (1 for a datagram;
  // IPFIX and v5 count records): a jump forward counts what lies between as lost, a step back
  // (a restarted agent, a reordered datagram) as a reset. `advance` 0: not known (records
  // of an unknown template), so the next datagram is not judged.
  void Sequence(std::size_t slot, std::uint32_t domain, std::uint32_t sequence,
                std::uint32_t advance = 1);
  void Samples(std::size_t slot, std::uint32_t n, std::uint32_t sampling_rate);
  void Failed(std::size_t slot, FlowError error, std::uint32_t n = 1);
  void Templates(std::size_t slot, std::uint32_t n);
  void Interface(std::size_t slot, const flow::SflowInterfaceCounters& counters);

  struct Agent {
    net::Address address;
    flow::FlowProtocol protocol{};
    bool other = false;  // the slot of agents past max_agents
    std::uint64_t datagrams = 0;
    std::uint64_t samples = 0;
    std::uint64_t lost = 0;
    std::uint64_t resets = 0;
    std::uint64_t templates = 0;
    std::array<std::uint64_t, kFlowErrorCount> errors{};
    std::int64_t last_seen_ns = 0;    // wall clock
    std::uint32_t sampling_rate = 0;  // of its latest flow sample
  };
  struct InterfaceCounters {
    net::Address agent;
    std::uint32_t if_index = 0;
    std::uint64_t speed_bps = 0;
    std::uint64_t in_octets = 0;
    std::uint64_t out_octets = 0;
  };
  // The agents seen, in slot order (the "other" slots last, if used).
  std::vector<Agent> Agents() const;
  std::vector<InterfaceCounters> Interfaces() const;
  std::uint64_t interfaces_not_kept() const;

 private:
  struct Next {
    std::uint32_t domain = 0;
    std::uint32_t sequence = 0;
    bool known = false;
  };
  struct Slotted {
    Agent agent;
    std::array<Next, kDomains> next{};
    std::size_t domains = 0;
  };
  std::size_t max_agents_;
  std::size_t max_interfaces_;
  mutable std::mutex mu_;
  std::vector<Slotted> slots_;       // guarded by mu_; reserved, max_agents_ + 1
  std::vector<std::int32_t> index_;  // guarded by mu_: open addressing over slots_, -1 free
  std::array<std::int32_t, 5> other_{-1, -1, -1, -1, -1};  // per FlowProtocol; mu_
  std::size_t others_ = 0;                                 // "other" slots taken; mu_
  std::map<std::pair<std::size_t, std::uint32_t>, InterfaceCounters> interfaces_;  // mu_
  std::uint64_t interfaces_not_kept_ = 0;                                          // mu_
};

}  // namespace edgewatch
