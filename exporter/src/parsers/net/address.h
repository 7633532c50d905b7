#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace edgewatch::net {

// An IPv4 or IPv6 address in network byte order; IPv4 uses the first 4 bytes, the rest are 0.
struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  friend auto operator<=>(const Address&, const Address&) = default;
  // Two 8-byte words, inline: the capture compares addresses in every table probe.
  friend bool operator==(const Address& a, const Address& b) {
    std::uint64_t x[2];
    std::uint64_t y[2];
    std::memcpy(x, a.bytes.data(), 16);
    std::memcpy(y, b.bytes.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0 && a.v6 == b.v6;
  }
};

// A CIDR prefix; `network` has its host bits cleared.
struct Prefix {
  Address network;
  int length = 0;

  // Two masked 8-byte words, inline, no memcmp call: the capture and the flows ask it of both
  // addresses of every packet and record.
  bool Contains(const Address& address) const {
    if (address.v6 != network.v6) {
      return false;
    }
    std::uint64_t a[2];
    std::uint64_t n[2];
    std::memcpy(a, address.bytes.data(), 16);
    std::memcpy(n, network.bytes.data(), 16);
    std::uint64_t differ = 0;
    for (int w = 0; w < 2; ++w) {
      const int bits = std::clamp(length - 64 * w, 0, 64);
      // The first `bits` bits in address (network) order, as the load laid them out.
      const std::uint64_t order = bits == 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
      const std::uint64_t mask =
          std::endian::native == std::endian::little ? __builtin_bswap64(order) : order;
      differ |= (a[w] ^ n[w]) & mask;
    }
    return differ == 0;
  }

  friend bool operator==(const Prefix&, const Prefix&) = default;
};

// An IPv4 dotted quad or an IPv6 address (with "::" and an embedded IPv4 tail); no zone, no
// prefix. Pure and allocation-free, for hot paths.
std::optional<Address> ParseAddress(std::string_view text);

// The text form inet_ntop gives: dotted quad, or IPv6 with the longest run of two or more zero
// groups as "::" (the first of equal runs), lower-case hex, and "::ffff:a.b.c.d" / "::a.b.c.d"
// for IPv4-mapped and -compatible addresses.
std::string FormatAddress(const Address& address);

}  // namespace edgewatch::net
