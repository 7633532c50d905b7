#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace edgewatch {

// Typed values of config files and flags. Each parser returns a message that says what was
// expected, ready to follow "file:line:column: key: ".

// `text` when it is one of `allowed`; the error lists them all.
Expected<std::string> ParseOneOf(std::initializer_list<std::string_view> allowed,
                                 std::string_view text);

// A whole number in [min, max].
Expected<std::uint64_t> ParseUnsigned(std::string_view text, std::uint64_t min, std::uint64_t max);

// Prometheus duration syntax: one or more <number><unit> with units ms, s, m, h, d, w, y
// ("1h30m", "500ms"). Zero is allowed; negative values are not, nor more than 10y: every
// duration key is then safe to add to a clock in nanoseconds (int64 holds 292 years).
Expected<std::chrono::milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::milliseconds d);

using IpAddress = net::Address;

// An IPv4 or IPv6 literal (no brackets, no zone): net::ParseAddress with a message.
Expected<IpAddress> ParseIpAddress(std::string_view text);

using Cidr = net::Prefix;

// "192.0.2.0/24", "2001:db8::/32"; a bare address is a host route. Host bits must be zero.
Expected<Cidr> ParseCidr(std::string_view text);

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"
};

// An absolute http or https URL; the port defaults from the scheme.
Expected<Url> ParseUrl(std::string_view text);

struct ListenAddress {
  std::string host;  // empty: every address; otherwise an IP literal or "localhost"
  std::uint16_t port = 0;

  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// A DNS name: labels of letters, digits and hyphens separated by dots, at most 253 characters.
Expected<std::string> ParseHostName(std::string_view text);

// "[host]:port", "host:port" or ":port", as --web.listen-address takes it.
Expected<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace edgewatch
