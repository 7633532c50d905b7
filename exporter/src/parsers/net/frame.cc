#include "parsers/net/frame.h"

#include <cstring>
#include <optional>

namespace edgewatch::net {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88A8;
constexpr std::uint16_t kEtherQinQOld = 0x9100;
constexpr std::uint16_t kEtherMpls = 0x8847;
constexpr std::uint16_t kEtherMplsMulticast = 0x8848;
constexpr std::uint16_t kEtherPppoeSession = 0x8864;
constexpr std::uint16_t kEtherTransparentBridging = 0x6558;  // GRE carrying Ethernet
constexpr std::uint16_t kEtherErspan2 = 0x88BE;              // and type I, without sequence
constexpr std::uint16_t kEtherErspan3 = 0x22EB;
constexpr std::uint16_t kVxlanPort = 4789;
constexpr int kMaxVlanTags = 4;
constexpr int kMaxIpv6Extensions = 8;
constexpr int kMaxMplsLabels = 8;
constexpr int kMaxTunnels = 4;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoGre = 47;

class Reader {
 public:
  explicit Reader(std::span<const std::byte> data) : data_(data) {}

  std::size_t size() const { return data_.size(); }
  bool Has(std::size_t n) const { return data_.size() >= n; }
  std::uint8_t U8(std::size_t at) const { return std::to_integer<std::uint8_t>(data_[at]); }
  std::uint16_t U16(std::size_t at) const {
    return static_cast<std::uint16_t>((U8(at) << 8) | U8(at + 1));
  }
  void Skip(std::size_t n) { data_ = data_.subspan(n); }
  void Truncate(std::size_t n) { data_ = data_.first(n); }
  std::span<const std::byte> rest() const { return data_; }
  void CopyTo(std::size_t at, std::size_t n, std::uint8_t* out) const {
    std::memcpy(out, data_.data() + at, n);
  }

 private:
  std::span<const std::byte> data_;
};

// Every layer writes into the one Frame being decoded (no copies on the per-packet path) and
// returns nothing, or why the frame cannot be decoded.
using Decoded = std::optional<DecodeError>;

Decoded Malformed(DecodeError error) { return error; }

// The frame being decoded, and the tunnels entered so far: their number is bounded, the
// innermost is reported.
struct Tunnels {
  Frame& frame;
  int depth = 0;
  Encapsulation innermost = Encapsulation::kNone;

  bool Enter(Encapsulation e) {
    innermost = e;
    return ++depth <= kMaxTunnels;
  }
};

Decoded Kind(Tunnels& t, FrameKind kind) {
  t.frame.kind = kind;
  return std::nullopt;
}

Decoded DecodeEthertype(Tunnels& t, Reader r, std::uint16_t type);
Decoded DecodeIpv4(Tunnels& t, Reader r);
Decoded DecodeIpv6(Tunnels& t, Reader r);

// A link header of `length` bytes with the ethertype at `type_at`.
Decoded DecodeLinkHeader(Tunnels& t, Reader r, std::size_t length, std::size_t type_at) {
  if (!r.Has(length)) {
    return Malformed(DecodeError::kTruncated);
  }
  const std::uint16_t type = r.U16(type_at);
  r.Skip(length);
  return DecodeEthertype(t, r, type);
}

Decoded DecodeEthernet(Tunnels& t, Reader r) { return DecodeLinkHeader(t, r, 14, 12); }

// VXLAN (RFC 7348): 8 bytes, the I flag set, then an Ethernet frame.
Decoded DecodeVxlan(Tunnels& t, Reader r) {
  if (!t.Enter(Encapsulation::kVxlan)) {
    return Malformed(DecodeError::kTooManyHeaders);
  }
  if (!r.Has(8)) {
    return Malformed(DecodeError::kTruncated);
  }
  if ((r.U8(0) & 0x08) == 0) {
    return Kind(t, FrameKind::kUndecoded);
  }
  r.Skip(8);
  return DecodeEthernet(t, r);
}

Decoded DecodeUdp(Tunnels& t, Reader r) {
  Frame& frame = t.frame;
  if (!r.Has(8)) {
    return Malformed(DecodeError::kTruncated);
  }
  const std::uint16_t length = r.U16(4);
  if (length < 8) {
    return Malformed(DecodeError::kBadUdpHeader);
  }
  frame.udp.src_port = r.U16(0);
  frame.udp.dst_port = r.U16(2);
  frame.udp.payload_length = length - 8u;
  r.Skip(8);
  if (frame.udp.dst_port == kVxlanPort && !frame.fragment.fragmented) {
    return DecodeVxlan(t, r);
  }
  r.Truncate(std::min<std::size_t>(r.size(), frame.udp.payload_length));
  frame.udp.payload = r.rest();
  frame.kind = FrameKind::kUdp;
  return std::nullopt;
}

// `wire_length` is the IP payload length the header claims; the capture may hold less. A first
// fragment's UDP length covers the whole datagram, beyond this packet.
Decoded CheckedUdp(Tunnels& t, Reader r, std::size_t wire_length) {
  Frame& frame = t.frame;
  if (frame.fragment.fragmented) {
    if (wire_length < 8) {
      return Kind(t, FrameKind::kOtherIp);  // a first fragment too small for the UDP header
    }
    frame.fragment.payload_bytes = static_cast<std::uint32_t>(wire_length - 8);
  } else if (r.Has(6) && r.U16(4) > wire_length) {
    return Malformed(DecodeError::kBadUdpHeader);
  }
  return DecodeUdp(t, r);
}

// A fragment after the first: UDP ones are returned to be matched to their first fragment.
Decoded LaterFragment(Tunnels& t, bool udp, std::size_t wire_length) {
  if (!udp) {
    return Kind(t, FrameKind::kOtherIp);
  }
  t.frame.fragment.payload_bytes = static_cast<std::uint32_t>(wire_length);
  return Kind(t, FrameKind::kFragment);
}

// GRE (RFC 2784/2890) version 0: optional checksum, key and sequence words, then what the
// protocol type says: IP, Ethernet (transparent bridging), MPLS, or a mirrored frame behind an
// ERSPAN header (type I: none; II: 8 bytes, with the sequence bit; III: 12, and 8 more with its
// O bit). Version 1 (PPTP) and other payloads are undecoded.
Decoded DecodeGre(Tunnels& t, Reader r) {
  if (!t.Enter(Encapsulation::kGre)) {
    return Malformed(DecodeError::kTooManyHeaders);
  }
  if (!r.Has(4)) {
    return Malformed(DecodeError::kTruncated);
  }
  const std::uint16_t flags = r.U16(0);
  const std::uint16_t type = r.U16(2);
  const bool sequence = (flags & 0x1000) != 0;
  if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0) {  // a version other than 0, or routing
    return Kind(t, FrameKind::kUndecoded);
  }
  const std::size_t header =
      4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + (sequence ? 4 : 0);
  if (!r.Has(header)) {
    return Malformed(DecodeError::kTruncated);
  }
  r.Skip(header);
  switch (type) {
    case kEtherIpv4:
    case kEtherIpv6:
    case kEtherMpls:
    case kEtherMplsMulticast:
      return DecodeEthertype(t, r, type);
    case kEtherTransparentBridging:
      return DecodeEthernet(t, r);
    case kEtherErspan2:
    case kEtherErspan3: {
      if (!t.Enter(Encapsulation::kErspan)) {
        return Malformed(DecodeError::kTooManyHeaders);
      }
      std::size_t erspan = type == kEtherErspan3 ? 12 : (sequence ? 8 : 0);
      if (!r.Has(erspan)) {
        return Malformed(DecodeError::kTruncated);
      }
      if (type == kEtherErspan3 && (r.U8(11) & 0x01) != 0) {
        erspan += 8;  // the platform-specific subheader
      }
      if (!r.Has(erspan)) {
        return Malformed(DecodeError::kTruncated);
      }
      r.Skip(erspan);
      return DecodeEthernet(t, r);
    }
    default:
      return Kind(t, FrameKind::kUndecoded);
  }
}

bool IsKnownEthertype(std::uint16_t type) {
  return type == kEtherIpv4 || type == kEtherIpv6 || type == kEtherVlan || type == kEtherQinQ ||
         type == kEtherQinQOld || type == kEtherMpls || type == kEtherPppoeSession;
}

// An MPLS label stack (RFC 3032) to its bottom entry, then IPv4 or IPv6 (by the version
// nibble), or an Ethernet pseudowire (RFC 4448), with its control word (first nibble 0, RFC
// 4385) or without: whichever puts an ethertype this decoder knows where Ethernet has it.
Decoded DecodeMpls(Tunnels& t, Reader r) {
  if (!t.Enter(Encapsulation::kMpls)) {
    return Malformed(DecodeError::kTooManyHeaders);
  }
  for (int labels = 0;; ++labels) {
    if (labels == kMaxMplsLabels) {
      return Malformed(DecodeError::kTooManyHeaders);
    }
    if (!r.Has(4)) {
      return Malformed(DecodeError::kTruncated);
    }
    const bool bottom = (r.U8(2) & 0x01) != 0;
    r.Skip(4);
    if (bottom) {
      break;
    }
  }
  if (!r.Has(1)) {
    return Malformed(DecodeError::kTruncated);
  }
  const int nibble = r.U8(0) >> 4;
  if (nibble == 4) {
    return DecodeIpv4(t, r);
  }
  if (nibble == 6) {
    return DecodeIpv6(t, r);
  }
  if (nibble == 0 && r.Has(18) && IsKnownEthertype(r.U16(16))) {
    r.Skip(4);  // the control word
    return DecodeEthernet(t, r);
  }
  if (r.Has(14) && IsKnownEthertype(r.U16(12))) {
    return DecodeEthernet(t, r);
  }
  return Kind(t, FrameKind::kUndecoded);
}

// A PPPoE session frame (RFC 2516): 6 bytes, then PPP's protocol; IP is decoded, PPP's own
// control traffic (LCP, IPCP, ...) is not IP.
Decoded DecodePppoe(Tunnels& t, Reader r) {
  if (!t.Enter(Encapsulation::kPppoe)) {
    return Malformed(DecodeError::kTooManyHeaders);
  }
  if (!r.Has(8)) {
    return Malformed(DecodeError::kTruncated);
  }
  if (r.U8(0) != 0x11) {  // version 1, type 1
    return Kind(t, FrameKind::kUndecoded);
  }
  const std::uint16_t protocol = r.U16(6);
  r.Skip(8);
  switch (protocol) {
    case 0x0021:
      return DecodeIpv4(t, r);
    case 0x0057:
      return DecodeIpv6(t, r);
    default:
      return Kind(t, FrameKind::kNotIp);
  }
}

Decoded DecodeIpv4(Tunnels& t, Reader r) {
  if (!r.Has(20)) {
    return Malformed(DecodeError::kTruncated);
  }
  const std::uint8_t vihl = r.U8(0);
  const std::size_t header = static_cast<std::size_t>(vihl & 0x0F) * 4;
  const std::uint16_t total = r.U16(2);
  if ((vihl >> 4) != 4 || header < 20 || total < header) {
    return Malformed(DecodeError::kBadIpHeader);
  }
  if (!r.Has(header)) {
    return Malformed(DecodeError::kTruncated);
  }
  Frame& frame = t.frame;  // an inner packet replaces what its tunnel's outer one set
  const std::uint16_t flags = r.U16(6);
  const bool more = (flags & 0x2000) != 0;
  const std::size_t offset = flags & 0x1FFF;
  frame.fragment = {more || offset != 0, offset == 0, !more, r.U16(4), 0};
  frame.ip_protocol = r.U8(9);
  const bool udp = frame.ip_protocol == kProtoUdp;
  if (frame.ip_protocol == kProtoGre && !frame.fragment.fragmented) {
    r.Truncate(std::min<std::size_t>(r.size(), total));
    r.Skip(header);
    return DecodeGre(t, r);
  }
  frame.udp.src = {};
  frame.udp.dst = {};
  r.CopyTo(12, 4, frame.udp.src.bytes.data());
  r.CopyTo(16, 4, frame.udp.dst.bytes.data());
  if (offset != 0) {
    return LaterFragment(t, udp, total - header);
  }
  if (!udp) {
    return Kind(t, FrameKind::kOtherIp);
  }
  r.Truncate(std::min<std::size_t>(r.size(), total));  // drop Ethernet padding
  r.Skip(header);
  return CheckedUdp(t, r, total - header);
}

bool IsIpv6Extension(std::uint8_t next) {
  return next == 0 || next == 43 || next == 60 || next == 51 || next == 135 || next == 139 ||
         next == 140;
}

Decoded DecodeIpv6(Tunnels& t, Reader r) {
  if (!r.Has(40)) {
    return Malformed(DecodeError::kTruncated);
  }
  if ((r.U8(0) >> 4) != 6) {
    return Malformed(DecodeError::kBadIpHeader);
  }
  std::size_t remaining = r.U16(4);  // payload length on the wire
  std::uint8_t next = r.U8(6);
  Frame& frame = t.frame;
  frame.fragment = {};
  frame.udp.src.v6 = frame.udp.dst.v6 = true;
  r.CopyTo(8, 16, frame.udp.src.bytes.data());
  r.CopyTo(24, 16, frame.udp.dst.bytes.data());
  r.Skip(40);
  r.Truncate(std::min(r.size(), remaining));
  for (int i = 0; i <= kMaxIpv6Extensions; ++i) {
    frame.ip_protocol = next;
    if (next == kProtoUdp) {
      return CheckedUdp(t, r, remaining);
    }
    if (next == kProtoGre && !frame.fragment.fragmented) {
      return DecodeGre(t, r);
    }
    if (next == 44) {  // fragment header: 8 bytes
      if (!r.Has(8) || remaining < 8) {
        return Malformed(DecodeError::kTruncated);
      }
      const std::uint16_t at = r.U16(2);
      const bool more = (at & 1) != 0;
      const std::size_t offset = at >> 3;
      const std::uint32_t id =
          (static_cast<std::uint32_t>(r.U16(4)) << 16) | static_cast<std::uint32_t>(r.U16(6));
      frame.fragment = {more || offset != 0, offset == 0, !more, id, 0};
      next = r.U8(0);
      frame.ip_protocol = next;
      r.Skip(8);
      remaining -= 8;
      if (offset != 0) {
        return LaterFragment(t, next == kProtoUdp, remaining);
      }
      continue;
    }
    if (!IsIpv6Extension(next)) {
      return Kind(t, FrameKind::kOtherIp);  // keeps `fragment`: a first fragment of TCP, ...
    }
    if (!r.Has(2)) {
      return Malformed(DecodeError::kTruncated);
    }
    const std::size_t length = next == 51 ? (static_cast<std::size_t>(r.U8(1)) + 2) * 4
                                          : (static_cast<std::size_t>(r.U8(1)) + 1) * 8;
    if (length > remaining) {
      return Malformed(DecodeError::kBadIpHeader);
    }
    if (!r.Has(length)) {
      return Malformed(DecodeError::kTruncated);
    }
    next = r.U8(0);
    r.Skip(length);
    remaining -= length;
  }
  return Malformed(DecodeError::kTooManyHeaders);
}

Decoded DecodeEthertype(Tunnels& t, Reader r, std::uint16_t type) {
  for (int tags = 0; type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld; ++tags) {
    if (tags == kMaxVlanTags) {
      return Malformed(DecodeError::kTooManyHeaders);
    }
    if (!r.Has(4)) {
      return Malformed(DecodeError::kTruncated);
    }
    type = r.U16(2);
    r.Skip(4);
  }
  switch (type) {
    case kEtherIpv4:
      return DecodeIpv4(t, r);
    case kEtherIpv6:
      return DecodeIpv6(t, r);
    case kEtherMpls:
    case kEtherMplsMulticast:
      return DecodeMpls(t, r);
    case kEtherPppoeSession:
      return DecodePppoe(t, r);
    default:
      return Kind(t, FrameKind::kNotIp);
  }
}

Decoded DecodeByVersion(Tunnels& t, Reader r) {
  if (!r.Has(1)) {
    return Malformed(DecodeError::kTruncated);
  }
  switch (r.U8(0) >> 4) {
    case 4:
      return DecodeIpv4(t, r);
    case 6:
      return DecodeIpv6(t, r);
    default:
      return Malformed(DecodeError::kBadIpHeader);
  }
}

}  // namespace

const char* EncapsulationName(Encapsulation e) {
  switch (e) {
    case Encapsulation::kNone:
      return "none";
    case Encapsulation::kMpls:
      return "mpls";
    case Encapsulation::kGre:
      return "gre";
    case Encapsulation::kErspan:
      return "erspan";
    case Encapsulation::kVxlan:
      return "vxlan";
    case Encapsulation::kPppoe:
      return "pppoe";
  }
  return "none";
}

const char* DecodeErrorName(DecodeError error) {
  switch (error) {
    case DecodeError::kTruncated:
      return "truncated";
    case DecodeError::kBadIpHeader:
      return "bad_ip_header";
    case DecodeError::kBadUdpHeader:
      return "bad_udp_header";
    case DecodeError::kUnsupportedLink:
      return "unsupported_link";
    case DecodeError::kTooManyHeaders:
      return "too_many_headers";
  }
  return "unknown";
}

namespace {

Decoded DecodeLink(Tunnels& t, int link_type, Reader r) {
  switch (link_type) {
    case kLinkEthernet:
      return DecodeLinkHeader(t, r, 14, 12);
    case kLinkLinuxSll:
      return DecodeLinkHeader(t, r, 16, 14);
    case kLinkLinuxSll2:
      return DecodeLinkHeader(t, r, 20, 0);
    case kLinkNull:
      if (!r.Has(4)) {
        return Malformed(DecodeError::kTruncated);
      }
      r.Skip(4);  // the family is in host order of the capturing machine; the version says it
      return DecodeByVersion(t, r);
    case kLinkRaw:
    case kLinkRawDlt:
    case kLinkRawDlt14:
      return DecodeByVersion(t, r);
    case kLinkIpv4:
      return DecodeIpv4(t, r);
    case kLinkIpv6:
      return DecodeIpv6(t, r);
    default:
      return Malformed(DecodeError::kUnsupportedLink);
  }
}

// Linux cooked headers say which way the packet went (packet(7): PACKET_OUTGOING is 4).
LinkDirection DirectionOf(int link_type, Reader r) {
  std::optional<int> type;
  if (link_type == kLinkLinuxSll && r.Has(2)) {
    type = r.U16(0);
  } else if (link_type == kLinkLinuxSll2 && r.Has(11)) {
    type = r.U8(10);
  }
  if (!type) {
    return LinkDirection::kUnknown;
  }
  return *type == 4 ? LinkDirection::kOutgoing : LinkDirection::kIncoming;
}

}  // namespace

std::optional<DecodeError> DecodeFrameInto(int link_type, std::span<const std::byte> bytes,
                                           Frame& frame) {
  // What every frame sets; the UDP fields are set by the layers that find them (addresses by
  // IP, ports and payload by UDP), so a reused Frame is not cleared whole per packet.
  frame.kind = FrameKind::kNotIp;
  frame.fragment = {};
  frame.ip_protocol = 0;
  Tunnels tunnels{frame};
  if (const auto error = DecodeLink(tunnels, link_type, Reader(bytes))) {
    return error;
  }
  frame.encapsulation = tunnels.innermost;
  frame.link_direction = DirectionOf(link_type, Reader(bytes));
  return std::nullopt;
}

Expected<Frame, DecodeError> DecodeFrame(int link_type, std::span<const std::byte> bytes) {
  Frame frame;
  if (const auto error = DecodeFrameInto(link_type, bytes, frame)) {
    return *error;
  }
  return frame;
}

}  // namespace edgewatch::net
