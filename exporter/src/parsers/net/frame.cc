#include "parsers/net/frame.h"

#include <cstring>

namespace edgewatch::net {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88A8;
constexpr std::uint16_t kEtherQinQOld = 0x9100;
constexpr int kMaxVlanTags = 4;
constexpr int kMaxIpv6Extensions = 8;
constexpr std::uint8_t kProtoUdp = 17;

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

using Decoded = Expected<Frame, DecodeError>;

Decoded Malformed(DecodeError error) { return error; }
Decoded Kind(FrameKind kind) { return Frame{kind, {}, {}}; }

Decoded DecodeUdp(Reader r, Frame frame) {
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
  r.Truncate(std::min<std::size_t>(r.size(), frame.udp.payload_length));
  frame.udp.payload = r.rest();
  frame.kind = FrameKind::kUdp;
  return frame;
}

// `wire_length` is the IP payload length the header claims; the capture may hold less. A first
// fragment's UDP length covers the whole datagram, beyond this packet.
Decoded CheckedUdp(Reader r, Frame frame, std::size_t wire_length) {
  if (frame.fragment.fragmented) {
    if (wire_length < 8) {
      return Kind(FrameKind::kOtherIp);  // a first fragment too small for the UDP header
    }
    frame.fragment.payload_bytes = static_cast<std::uint32_t>(wire_length - 8);
  } else if (r.Has(6) && r.U16(4) > wire_length) {
    return Malformed(DecodeError::kBadUdpHeader);
  }
  return DecodeUdp(r, frame);
}

// A fragment after the first: UDP ones are returned to be matched to their first fragment.
Decoded LaterFragment(Frame frame, bool udp, std::size_t wire_length) {
  if (!udp) {
    frame.kind = FrameKind::kOtherIp;
    return frame;
  }
  frame.kind = FrameKind::kFragment;
  frame.fragment.payload_bytes = static_cast<std::uint32_t>(wire_length);
  return frame;
}

Decoded DecodeIpv4(Reader r) {
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
  Frame frame;
  const std::uint16_t flags = r.U16(6);
  const bool more = (flags & 0x2000) != 0;
  const std::size_t offset = flags & 0x1FFF;
  frame.fragment = {more || offset != 0, offset == 0, !more, r.U16(4), 0};
  const bool udp = r.U8(9) == kProtoUdp;
  if (!udp && !frame.fragment.fragmented) {
    return Kind(FrameKind::kOtherIp);
  }
  frame.udp.src.v6 = frame.udp.dst.v6 = false;
  r.CopyTo(12, 4, frame.udp.src.bytes.data());
  r.CopyTo(16, 4, frame.udp.dst.bytes.data());
  if (offset != 0) {
    return LaterFragment(frame, udp, total - header);
  }
  if (!udp) {
    frame.kind = FrameKind::kOtherIp;
    return frame;
  }
  r.Truncate(std::min<std::size_t>(r.size(), total));  // drop Ethernet padding
  r.Skip(header);
  return CheckedUdp(r, frame, total - header);
}

bool IsIpv6Extension(std::uint8_t next) {
  return next == 0 || next == 43 || next == 60 || next == 51 || next == 135 || next == 139 ||
         next == 140;
}

Decoded DecodeIpv6(Reader r) {
  if (!r.Has(40)) {
    return Malformed(DecodeError::kTruncated);
  }
  if ((r.U8(0) >> 4) != 6) {
    return Malformed(DecodeError::kBadIpHeader);
  }
  std::size_t remaining = r.U16(4);  // payload length on the wire
  std::uint8_t next = r.U8(6);
  Frame frame;
  frame.udp.src.v6 = frame.udp.dst.v6 = true;
  r.CopyTo(8, 16, frame.udp.src.bytes.data());
  r.CopyTo(24, 16, frame.udp.dst.bytes.data());
  r.Skip(40);
  r.Truncate(std::min(r.size(), remaining));
  for (int i = 0; i <= kMaxIpv6Extensions; ++i) {
    if (next == kProtoUdp) {
      return CheckedUdp(r, frame, remaining);
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
      r.Skip(8);
      remaining -= 8;
      if (offset != 0) {
        return LaterFragment(frame, next == kProtoUdp, remaining);
      }
      continue;
    }
    if (!IsIpv6Extension(next)) {
      frame.kind = FrameKind::kOtherIp;  // keeps `fragment`: a first fragment of TCP, ICMPv6...
      return frame;
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

Decoded DecodeEthertype(Reader r, std::uint16_t type) {
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
  if (type == kEtherIpv4) {
    return DecodeIpv4(r);
  }
  if (type == kEtherIpv6) {
    return DecodeIpv6(r);
  }
  return Kind(FrameKind::kNotIp);
}

// A link header of `length` bytes with the ethertype at `type_at`.
Decoded DecodeLinkHeader(Reader r, std::size_t length, std::size_t type_at) {
  if (!r.Has(length)) {
    return Malformed(DecodeError::kTruncated);
  }
  const std::uint16_t type = r.U16(type_at);
  r.Skip(length);
  return DecodeEthertype(r, type);
}

Decoded DecodeByVersion(Reader r) {
  if (!r.Has(1)) {
    return Malformed(DecodeError::kTruncated);
  }
  switch (r.U8(0) >> 4) {
    case 4:
      return DecodeIpv4(r);
    case 6:
      return DecodeIpv6(r);
    default:
      return Malformed(DecodeError::kBadIpHeader);
  }
}

}  // namespace

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

Expected<Frame, DecodeError> DecodeFrame(int link_type, std::span<const std::byte> bytes) {
  Reader r(bytes);
  switch (link_type) {
    case kLinkEthernet:
      return DecodeLinkHeader(r, 14, 12);
    case kLinkLinuxSll:
      return DecodeLinkHeader(r, 16, 14);
    case kLinkLinuxSll2:
      return DecodeLinkHeader(r, 20, 0);
    case kLinkNull:
      if (!r.Has(4)) {
        return Malformed(DecodeError::kTruncated);
      }
      r.Skip(4);  // the family is in host order of the capturing machine; the version says it
      return DecodeByVersion(r);
    case kLinkRaw:
    case kLinkRawDlt:
    case kLinkRawDlt14:
      return DecodeByVersion(r);
    case kLinkIpv4:
      return DecodeIpv4(r);
    case kLinkIpv6:
      return DecodeIpv6(r);
    default:
      return Malformed(DecodeError::kUnsupportedLink);
  }
}

}  // namespace edgewatch::net
