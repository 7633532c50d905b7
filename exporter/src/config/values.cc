#include "config/values.h"

#include <cctype>
#include <charconv>
#include <cstring>

namespace edgewatch {
namespace {

constexpr std::int64_t kMaxDurationMs = 10LL * 31'536'000'000;

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

Expected<std::uint16_t> ParsePort(std::string_view text, std::string_view whole) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return Error{"expected a port number 0-65535 in " + Quote(whole)};
  }
  return static_cast<std::uint16_t>(value);
}

IpAddress ClearHostBits(IpAddress address, int prefix_length) {
  const int max_length = address.v6 ? 128 : 32;
  for (int bit = prefix_length; bit < max_length; ++bit) {
    address.bytes[static_cast<size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
  return address;
}

}  // namespace

Expected<std::string> ParseOneOf(std::initializer_list<std::string_view> allowed,
                                 std::string_view text) {
  std::string list;
  for (auto a : allowed) {
    if (a == text) {
      return std::string(text);
    }
    list += list.empty() ? "" : ", ";
    list += a;
  }
  return Error{"expected one of " + list + ", got " + Quote(text)};
}

Expected<std::uint64_t> ParseUnsigned(std::string_view text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Error{"expected a whole number from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", got " + Quote(text)};
  }
  return value;
}

Expected<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const Error bad{"expected a duration such as 500ms, 10s, 1m or 1h30m, got " + Quote(text)};
  if (text.empty()) {
    return bad;
  }
  struct Unit {
    std::string_view name;
    std::int64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"ms", 1},         {"s", 1000},        {"m", 60'000},        {"h", 3'600'000},
      {"d", 86'400'000}, {"w", 604'800'000}, {"y", 31'536'000'000}};
  std::int64_t total = 0;
  size_t pos = 0;
  size_t last_unit = 0;  // units must appear largest first, each at most once
  bool first = true;
  while (pos < text.size()) {
    std::int64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
    if (ec != std::errc() || number < 0) {
      return bad;
    }
    pos = static_cast<size_t>(end - text.data());
    size_t unit_index = std::size(kUnits);
    for (size_t i = 0; i < std::size(kUnits); ++i) {
      const auto& u = kUnits[i];
      if (text.substr(pos, u.name.size()) == u.name &&
          (u.name != "m" || text.substr(pos, 2) != "ms")) {
        unit_index = i;
        break;
      }
    }
    if (unit_index == std::size(kUnits)) {
      return bad;
    }
    // Order: y w d h m s ms, i.e. descending unit size.
    const std::int64_t unit_ms = kUnits[unit_index].ms;
    if (!first && unit_ms >= kUnits[last_unit].ms) {
      return bad;
    }
    if (number > (INT64_MAX - total) / unit_ms) {
      return Error{"duration " + Quote(text) + " is too large"};
    }
    total += number * unit_ms;
    if (total > kMaxDurationMs) {
      return Error{"durations are at most 10y (deadlines are kept in nanoseconds), got " +
                   Quote(text)};
    }
    pos += kUnits[unit_index].name.size();
    last_unit = unit_index;
    first = false;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  static constexpr std::pair<std::int64_t, const char*> kParts[] = {
      {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [unit, name] : kParts) {
    if (ms >= unit) {
      out += std::to_string(ms / unit) + name;
      ms %= unit;
    }
  }
  return out;
}

Expected<IpAddress> ParseIpAddress(std::string_view text) {
  if (const auto address = net::ParseAddress(text)) {
    return *address;
  }
  return Error{"expected an IPv4 or IPv6 address, got " + Quote(text)};
}

Expected<Cidr> ParseCidr(std::string_view text) {
  const Error bad{"expected a CIDR such as 192.0.2.0/24 or 2001:db8::/32, got " + Quote(text)};
  const size_t slash = text.find('/');
  auto address = ParseIpAddress(text.substr(0, slash));
  if (!address) {
    return bad;
  }
  const int max_length = address->v6 ? 128 : 32;
  int length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    const auto [end, ec] =
        std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
    if (len_text.empty() || ec != std::errc() || end != len_text.data() + len_text.size() ||
        length < 0 || length > max_length) {
      return bad;
    }
  }
  Cidr cidr{ClearHostBits(*address, length), length};
  if (cidr.network != *address) {
    return Error{"CIDR " + Quote(text) + " has host bits set; did you mean " +
                 net::FormatAddress(cidr.network) + "/" + std::to_string(length) + "?"};
  }
  return cidr;
}

Expected<Url> ParseUrl(std::string_view text) {
  const Error bad{"expected an http:// or https:// URL, got " + Quote(text)};
  Url url;
  std::string_view rest;
  if (text.starts_with("http://")) {
    url.scheme = "http";
    url.port = 80;
    rest = text.substr(7);
  } else if (text.starts_with("https://")) {
    url.scheme = "https";
    url.port = 443;
    rest = text.substr(8);
  } else {
    return bad;
  }
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  url.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (url.target.front() != '/') {
    url.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) {
    return Error{"credentials in URL " + Quote(text) + " are not supported; use basic_auth"};
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad;
    }
    url.host = std::string(authority.substr(1, close - 1));
    if (!ParseIpAddress(url.host) || ParseIpAddress(url.host)->v6 == false) {
      return bad;
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return bad;
      }
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return bad;
  }
  if (!port_text.empty() || authority.ends_with(':')) {
    auto port = ParsePort(port_text, text);
    if (!port) {
      return port.error();
    }
    url.port = *port;
  }
  return url;
}

Expected<std::string> ParseHostName(std::string_view text) {
  const Error bad{"expected an IP address or a DNS name, got " + Quote(text)};
  if (text.empty() || text.size() > 253) {
    return bad;
  }
  std::size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) {
        return bad;
      }
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      if (++label > 63) {
        return bad;
      }
    } else {
      return bad;
    }
  }
  return std::string(text);
}

Expected<ListenAddress> ParseListenAddress(std::string_view text) {
  const Error bad{"expected a listen address such as :10123, 127.0.0.1:10123 or [::1]:10123, got " +
                  Quote(text)};
  ListenAddress listen;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) {
      return bad;
    }
    listen.host = std::string(text.substr(1, close - 1));
    auto ip = ParseIpAddress(listen.host);
    if (!ip || !ip->v6) {
      return bad;
    }
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return bad;
    }
    listen.host = std::string(text.substr(0, colon));
    if (!listen.host.empty() && listen.host != "localhost") {
      auto ip = ParseIpAddress(listen.host);
      if (!ip || ip->v6) {
        return bad;  // a bare IPv6 address needs brackets
      }
    }
    port_text = text.substr(colon + 1);
  }
  auto port = ParsePort(port_text, text);
  if (!port) {
    return port.error();
  }
  listen.port = *port;
  return listen;
}

}  // namespace edgewatch
