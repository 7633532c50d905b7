#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace edgewatch::io {

// Sends one UDP datagram to address:port and returns the first datagram that comes back from
// there within `timeout` (an error on timeout or ICMP unreachable).
Expected<std::vector<std::byte>> UdpExchange(const net::Address& address, std::uint16_t port,
                                             std::span<const std::byte> request,
                                             std::chrono::milliseconds timeout);

}  // namespace edgewatch::io
