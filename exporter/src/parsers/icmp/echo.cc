#include "parsers/icmp/echo.h"

#include <algorithm>
#include <cstring>

namespace edgewatch::icmp {
namespace {

std::uint8_t U8(std::span<const std::byte> p, std::size_t at) {
  return std::to_integer<std::uint8_t>(p[at]);
}

std::uint16_t U16(std::span<const std::byte> p, std::size_t at) {
  return static_cast<std::uint16_t>((U8(p, at) << 8) | U8(p, at + 1));
}

}  // namespace

std::uint16_t Checksum(std::span<const std::byte> data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
    sum += U16(data, i);
  }
  if (data.size() % 2 == 1) {
    sum += static_cast<std::uint32_t>(U8(data, data.size() - 1)) << 8;
  }
  while (sum >> 16) {
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum);
}

std::size_t BuildEchoRequest(bool v6, std::uint16_t id, std::uint16_t seq, std::size_t size,
                             const Cookie& cookie, std::span<std::byte> out) {
  size = std::max(size, kHeaderSize + kMagic.size() + kCookieSize);
  if (out.size() < size) {
    return 0;
  }
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size), std::byte{0});
  out[0] = std::byte{v6 ? kEchoRequestV6 : kEchoRequestV4};
  out[4] = std::byte{static_cast<std::uint8_t>(id >> 8)};
  out[5] = std::byte{static_cast<std::uint8_t>(id)};
  out[6] = std::byte{static_cast<std::uint8_t>(seq >> 8)};
  out[7] = std::byte{static_cast<std::uint8_t>(seq)};
  std::copy(kMagic.begin(), kMagic.end(), out.begin() + kHeaderSize);
  std::copy(cookie.begin(), cookie.end(), out.begin() + kHeaderSize + kMagic.size());
  if (!v6) {
    const std::uint16_t sum = Checksum(out.first(size));
    out[2] = std::byte{static_cast<std::uint8_t>(sum >> 8)};
    out[3] = std::byte{static_cast<std::uint8_t>(sum)};
  }
  return size;
}

Expected<EchoReply, Rejection> ParseEchoReply(bool v6, bool with_ip_header, const Cookie& cookie,
                                              std::span<const std::byte> packet) {
  if (with_ip_header && !v6) {
    if (packet.empty()) {
      return Rejection::kTruncated;
    }
    const std::size_t ihl = static_cast<std::size_t>(U8(packet, 0) & 0x0F) * 4;
    if ((U8(packet, 0) >> 4) != 4 || ihl < 20) {
      return Rejection::kBadIpHeader;
    }
    if (packet.size() < ihl) {
      return Rejection::kTruncated;
    }
    packet = packet.subspan(ihl);
  }
  if (packet.size() < kHeaderSize + kMagic.size()) {
    return Rejection::kTruncated;
  }
  if (U8(packet, 0) != (v6 ? kEchoReplyV6 : kEchoReplyV4) || U8(packet, 1) != 0) {
    return Rejection::kNotEchoReply;
  }
  if (!v6 && Checksum(packet) != 0) {
    return Rejection::kBadChecksum;
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), packet.begin() + kHeaderSize)) {
    return Rejection::kForeign;
  }
  const std::size_t at = kHeaderSize + kMagic.size();
  if (packet.size() < at + kCookieSize ||
      !std::equal(cookie.begin(), cookie.end(), packet.begin() + static_cast<std::ptrdiff_t>(at))) {
    return Rejection::kBadCookie;
  }
  return EchoReply{U16(packet, 4), U16(packet, 6)};
}

}  // namespace edgewatch::icmp
