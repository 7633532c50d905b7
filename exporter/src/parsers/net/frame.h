#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace edgewatch::net {

// libpcap link-layer header types (LINKTYPE_* in pcap files, DLT_* live) that edgewatch decodes.
inline constexpr int kLinkNull = 0;  // BSD loopback: 4-byte host-order address family
inline constexpr int kLinkEthernet = 1;
inline constexpr int kLinkRawDlt = 12;    // DLT_RAW on Linux
inline constexpr int kLinkRawDlt14 = 14;  // DLT_RAW on some BSDs
inline constexpr int kLinkRaw = 101;
inline constexpr int kLinkLinuxSll = 113;
inline constexpr int kLinkIpv4 = 228;
inline constexpr int kLinkIpv6 = 229;
inline constexpr int kLinkLinuxSll2 = 276;

enum class FrameKind : std::uint8_t {
  kUdp,        // a UDP datagram, or the first fragment of one (which holds the UDP header)
  kOtherIp,    // IPv4/IPv6 carrying something else (TCP, ICMP, ESP, ...), fragments of it too
  kNotIp,      // ARP, LLDP, ...
  kFragment,   // a later fragment of a UDP datagram: `udp` has its addresses, not its ports
  kUndecoded,  // an encapsulation whose content this decoder cannot read (PPTP's GRE, ...)
};

// The tunnels a SPAN or tap feed carries, decoded to the inner IP packet.
enum class Encapsulation : std::uint8_t { kNone, kMpls, kGre, kErspan, kVxlan, kPppoe };
inline constexpr int kEncapsulationCount = 6;
// Label value: "none", "mpls", "gre", "erspan", "vxlan", "pppoe".
const char* EncapsulationName(Encapsulation e);

// Why a frame could not be decoded.
enum class DecodeError : std::uint8_t {
  kTruncated,        // the captured bytes end inside a header
  kBadIpHeader,      // version, header length or total length impossible
  kBadUdpHeader,     // UDP length shorter than the header or longer than the IP payload
  kUnsupportedLink,  // a link type this decoder does not know
  kTooManyHeaders,   // VLAN tags or IPv6 extension headers beyond the limit
};
inline constexpr int kDecodeErrorCount = 5;

// Name for the `reason` label: "truncated", "bad_ip_header", ...
const char* DecodeErrorName(DecodeError error);

// Where a UDP datagram went. The payload span points into the frame passed to DecodeFrame.
struct UdpDatagram {
  Address src;
  Address dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  // Payload length on the wire (UDP length - 8), even when the capture cut the datagram short.
  std::uint32_t payload_length = 0;
  std::span<const std::byte> payload;  // what was captured of it
};

// Where a packet sits in a fragmented datagram (IPv4 MF flag or offset, IPv6 fragment header).
struct Fragment {
  bool fragmented = false;  // false for whole datagrams (and IPv6 atomic fragments)
  bool first = false;       // offset 0
  bool last = false;        // no more fragments follow (MF / M clear)
  std::uint32_t id = 0;     // IPv4 identification or IPv6 fragment identification
  // The UDP payload bytes this packet carries on the wire: the first fragment's IP payload
  // less the UDP header, a later fragment's whole IP payload.
  std::uint32_t payload_bytes = 0;
};

// Which way a packet went, where the link header says (Linux cooked captures).
enum class LinkDirection : std::uint8_t { kUnknown, kIncoming, kOutgoing };

struct Frame {
  FrameKind kind = FrameKind::kNotIp;
  UdpDatagram udp;  // kUdp; kFragment and kOtherIp: the addresses only
  Fragment fragment;
  Encapsulation encapsulation = Encapsulation::kNone;  // the innermost tunnel entered
  std::uint8_t ip_protocol = 0;  // IPv4 protocol / IPv6 last next header (17 UDP, 6 TCP, ...)
  LinkDirection link_direction = LinkDirection::kUnknown;
};

// Decodes link, VLAN (802.1Q, 802.1ad QinQ), MPLS, PPPoE, GRE (with ERSPAN I-III) and VXLAN
// (UDP 4789) to the innermost IPv4/IPv6 (extension headers walked) and UDP headers; at most 4
// tunnels deep. A first fragment is decoded as UDP, its udp.payload_length from the UDP length
// field (the whole datagram's); later ones come back as kFragment with their addresses and id, to
// be matched to the first. Pure and allocation-free; every length is checked against what remains,
// so any bytes are safe input.
// The capture's form: decodes into `out`, which may be reused (no copy of the Frame per
// packet); only the fields its `kind` names are meaningful afterwards.
std::optional<DecodeError> DecodeFrameInto(int link_type, std::span<const std::byte> frame,
                                           Frame& out);
// The same, as a value (tests, tools).
Expected<Frame, DecodeError> DecodeFrame(int link_type, std::span<const std::byte> frame);

}  // namespace edgewatch::net
