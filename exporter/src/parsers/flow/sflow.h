#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "parsers/expected.h"
#include "parsers/flow/datagram_error.h"
#include "parsers/net/address.h"

namespace edgewatch::flow {

// sFlow version 5 (sflow.org/sflow_version_5.txt): one datagram of an agent, XDR-encoded.
struct SflowDatagram {
  net::Address agent;
  std::uint32_t sub_agent = 0;
  std::uint32_t sequence = 0;  // per agent and sub-agent: a gap is lost datagrams
  std::uint32_t uptime_ms = 0;
  std::uint32_t samples = 0;
};

// A flow sample (compact or expanded): one sampled packet, 1 in `sampling_rate`.
struct SflowFlowSample {
  std::uint32_t sequence = 0;
  std::uint32_t source_class = 0;  // 0 ifIndex, 1 VLAN, 2 physical entity
  std::uint32_t source_index = 0;
  std::uint32_t sampling_rate = 0;
  std::uint32_t sample_pool = 0;  // packets that could have been sampled
  std::uint32_t drops = 0;        // samples the agent dropped for lack of resources
  std::uint32_t input_if = 0;
  std::uint32_t output_if = 0;
  // The raw packet header record (format 1), if the sample has one: the first bytes of the
  // packet, `frame_length` long on the wire (with `stripped` bytes, e.g. the FCS, taken off).
  bool has_header = false;
  std::uint32_t header_protocol = 0;  // 1 Ethernet, 11 IPv4, 12 IPv6 (the spec's numbers)
  std::uint32_t frame_length = 0;
  std::uint32_t stripped = 0;
  std::span<const std::byte> header;
};

// A counter sample's generic interface counters (record format 1).
struct SflowInterfaceCounters {
  std::uint32_t sequence = 0;
  std::uint32_t source_index = 0;
  std::uint32_t if_index = 0;
  std::uint64_t if_speed = 0;
  std::uint64_t in_octets = 0;
  std::uint64_t out_octets = 0;
  std::uint32_t in_unicast_packets = 0;
  std::uint32_t out_unicast_packets = 0;
  std::uint32_t in_discards = 0;
  std::uint32_t in_errors = 0;
};

// What a datagram holds, handed over as it is read (views into the datagram).
class SflowVisitor {
 public:
  virtual ~SflowVisitor() = default;
  virtual void Flow(const SflowFlowSample& sample) = 0;
  virtual void Counters(const SflowInterfaceCounters& counters) = 0;
};

// Parses one datagram, calling `visitor` for each flow sample and each generic interface
// counter record; samples and records of other formats (enterprise ones included) are skipped
// by their lengths. A sample that is cut short ends the datagram with kTruncated after the
// samples before it were handed over. Pure, no allocation.
Expected<SflowDatagram, DatagramError> ParseSflow(std::span<const std::byte> datagram,
                                                  SflowVisitor& visitor);

}  // namespace edgewatch::flow
