#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "parsers/expected.h"

namespace edgewatch::icmp {

inline constexpr std::uint8_t kEchoReplyV4 = 0;
inline constexpr std::uint8_t kEchoRequestV4 = 8;
inline constexpr std::uint8_t kEchoRequestV6 = 128;
inline constexpr std::uint8_t kEchoReplyV6 = 129;
inline constexpr std::size_t kHeaderSize = 8;
// Payload prefix that marks edgewatch's own probes, so other processes' pings that reach a raw
// socket with the same identifier are not taken for ours.
inline constexpr std::array<std::byte, 8> kMagic = {std::byte{'e'}, std::byte{'d'}, std::byte{'g'},
                                                    std::byte{'e'}, std::byte{'w'}, std::byte{'t'},
                                                    std::byte{'c'}, std::byte{'h'}};

// After the magic, a cookie chosen at random per process: a reply counts only if it carries
// back what was sent, so spoofing one takes the cookie, not just the identifier and sequence.
inline constexpr std::size_t kCookieSize = 8;
using Cookie = std::array<std::byte, kCookieSize>;

// RFC 1071 one's-complement sum, as stored in the header.
std::uint16_t Checksum(std::span<const std::byte> data);

// Writes an echo request of `size` bytes (header + payload, at least header + magic + cookie)
// into `out` and returns the bytes used (0 if `out` is too small). IPv4 requests carry their
// checksum; for ICMPv6 the kernel computes it (it covers the IPv6 pseudo-header).
std::size_t BuildEchoRequest(bool v6, std::uint16_t id, std::uint16_t seq, std::size_t size,
                             const Cookie& cookie, std::span<std::byte> out);

struct EchoReply {
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
};

enum class Rejection : std::uint8_t {
  kTruncated,     // shorter than the headers and magic
  kBadIpHeader,   // raw IPv4: not version 4, or a header length beyond the packet
  kNotEchoReply,  // another ICMP type (unreachable, our own request looping back, ...)
  kBadChecksum,   // IPv4 only
  kForeign,       // no edgewatch magic: another program's ping
  kBadCookie,     // edgewatch's magic with another cookie: spoofed, or another edgewatch's
};

// Parses what an ICMP socket received. `with_ip_header`: raw IPv4 sockets deliver the IPv4
// header first; ping (datagram) sockets and IPv6 sockets do not.
Expected<EchoReply, Rejection> ParseEchoReply(bool v6, bool with_ip_header, const Cookie& cookie,
                                              std::span<const std::byte> packet);

}  // namespace edgewatch::icmp
