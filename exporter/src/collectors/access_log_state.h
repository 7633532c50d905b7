#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_text.h"
#include "core/last_text_memo.h"
#include "core/top_k.h"
#include "parsers/access_log/access_log.h"
#include "parsers/access_log/request_path.h"

namespace edgewatch {

// A client as logged (an address, or a host name with HostnameLookups on): an IPv6 address fits.
using ClientKey = FixedText<46>;

// A site (virtual host) as a top-K key: lower case, without a ":port", cut to 96 bytes. Names
// clients chose (Host) are as many as they like; the top-K bounds them.
using SiteKey = FixedText<96>;
SiteKey SiteKeyOf(std::string_view site);

// The kinds of request each log ranks its sites by.
enum class SiteKind : std::uint8_t { kAll, kXmlrpc, kWpLogin, kProbe };
inline constexpr std::size_t kSiteKinds = 4;
const char* SiteKindName(SiteKind k);

// What one request was, for the top lists.
struct Seen {
  bool xmlrpc = false;  // an xmlrpc or wp-login request: its client is ranked
  bool wp_login = false;
  bool post = false;
  bool probe = false;
  bool RanksClient() const { return xmlrpc || wp_login; }
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

  // Counts `r` and says what it was; its client goes to AddTopClient() when Seen::RanksClient(),
  // its site to AddSite() (apart, so the time is only worked out when needed).
  Seen Add(const access_log::Request& r);
  void AddTopClient(std::string_view client, std::int64_t now_ns);
  // Ranks `site` among all requests and, per what `seen` says, xmlrpc and wp-login POSTs and
  // exploit probes.
  void AddSite(const SiteKey& site, const Seen& seen, std::int64_t now_ns);
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
  // The sites with the most requests of `kind` in the window before `now_ns`.
  TopList<SiteKey> TopSites(SiteKind kind, std::int64_t now_ns);

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
  std::vector<WindowedTopK<SiteKey>> sites_;  // by SiteKind
  // The last segment of every xmlrpc and wp-login path ("xmlrpc.php"): a path without an escape
  // resolves to one of them only if it holds that name (resolving drops and merges, never makes
  // characters), so most paths are never resolved.
  std::vector<std::string> script_names_;
  // Where a request path is resolved when it needs work; Apache's request line limit (8190).
  std::array<char, 8192> path_scratch_{};
};

}  // namespace edgewatch
