#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/top_k.h"
#include "parsers/access_log/access_log.h"
#include "parsers/access_log/request_path.h"

namespace edgewatch {

// A client as logged (an address, or a host name with HostnameLookups on), cut to 46 bytes so
// that top-K keys have a fixed size: an IPv6 address fits.
struct ClientKey {
  std::array<char, 46> text{};
  std::uint8_t size = 0;

  static ClientKey From(std::string_view client);
  std::string_view view() const { return {text.data(), size}; }
  bool operator==(const ClientKey& o) const { return view() == o.view(); }
  bool operator<(const ClientKey& o) const { return view() < o.view(); }
};

struct AccessLogSettings {
  std::vector<std::string> xmlrpc_paths;
  std::vector<std::string> wp_login_paths;
  std::size_t top_k = 10;
  std::int64_t window_ns = 600'000'000'000;
};

// What one access log showed, as plain counters in fixed arrays: Add() does no allocation and
// no label lookup. Status codes outside 100-599 never reach it (the parser rejects them).
class AccessLogStats {
 public:
  static constexpr int kCodes = 500;  // 100..599
  using ByMethodCode = std::array<std::array<std::uint64_t, kCodes>, access_log::kMethodCount>;

  explicit AccessLogStats(const AccessLogSettings& settings);

  // Counts `r`; true if it was an xmlrpc or wp-login request, whose client then goes to
  // AddTopClient() (apart, so the time is only worked out for those).
  bool Add(const access_log::Request& r);
  void AddTopClient(std::string_view client, std::int64_t now_ns);
  void AddParseError() { ++parse_errors_; }

  const ByMethodCode& requests() const { return requests_; }
  const ByMethodCode& xmlrpc() const { return xmlrpc_; }
  const ByMethodCode& wp_login() const { return wp_login_; }
  std::uint64_t response_bytes() const { return response_bytes_; }
  std::uint64_t parse_errors() const { return parse_errors_; }
  std::uint64_t pingbacks() const { return pingbacks_; }
  // Exploit probes by kind and status class (index 0 for 1xx ... 4 for 5xx): 2xx is a probe
  // that may have worked, 4xx background noise.
  static constexpr int kCodeClasses = 5;
  using ProbesByClass =
      std::array<std::array<std::uint64_t, kCodeClasses>, access_log::kProbeCount>;
  const ProbesByClass& probes() const { return probes_; }
  // The clients with the most xmlrpc and wp-login requests in the window before `now_ns`.
  TopList<ClientKey> TopClients(std::int64_t now_ns);

 private:
  AccessLogSettings settings_;
  ByMethodCode requests_{};
  ByMethodCode xmlrpc_{};
  ByMethodCode wp_login_{};
  std::uint64_t response_bytes_ = 0;
  std::uint64_t parse_errors_ = 0;
  std::uint64_t pingbacks_ = 0;
  ProbesByClass probes_{};
  WindowedTopK<ClientKey> top_;
  // Where a request path is resolved when it needs work; Apache's request line limit (8190).
  std::array<char, 8192> path_scratch_{};
};

}  // namespace edgewatch
