#include <cstddef>
#include <cstdint>
#include <span>

#include "parsers/icmp/echo.h"

// Every input is tried as each kind of socket delivers it: raw IPv4 (with IP header), ping
// socket IPv4, and IPv6.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> packet(reinterpret_cast<const std::byte*>(data), size);
  const edgewatch::icmp::Cookie cookie{};
  (void)edgewatch::icmp::ParseEchoReply(false, true, cookie, packet);
  (void)edgewatch::icmp::ParseEchoReply(false, false, cookie, packet);
  (void)edgewatch::icmp::ParseEchoReply(true, false, cookie, packet);
  (void)edgewatch::icmp::Checksum(packet);
  return 0;
}
