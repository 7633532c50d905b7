#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/values.h"
#include "parsers/expected.h"
#include "parsers/reflection/vectors.h"

namespace edgewatch {

struct GlobalConfig {
  // How long one collector may take in a scrape before it is reported failed. Keep it below
  // Prometheus' scrape_timeout (10s by default).
  std::chrono::milliseconds collector_timeout{std::chrono::seconds(8)};
};

// The exporter's own process_* metrics.
struct ProcessConfig {
  bool enabled = true;
};

// NTP specifics of the reflection collector.
struct NtpReflectionConfig {
  // Local NTP servers watched as possible reflectors; others count under server="other".
  std::vector<IpAddress> servers;
  // Send a mode-7 MON_GETLIST_1 query to each server every probe_interval and export whether it
  // answers (edgewatch_ntp_monlist_exposed).
  bool monlist_probe = false;
  std::chrono::milliseconds probe_interval{std::chrono::minutes(1)};
  std::chrono::milliseconds probe_timeout{std::chrono::seconds(2)};

  friend bool operator==(const NtpReflectionConfig&, const NtpReflectionConfig&) = default;
};

// UDP reflection/amplification traffic seen by libpcap.
struct ReflectionConfig {
  bool enabled = true;
  std::string interface = "any";
  // Which addresses are "ours", for direction in/out/transit. Empty: the addresses of the
  // capture interface (all interfaces for "any") at start.
  std::vector<Cidr> local_networks;
  std::vector<reflection::Vector> vectors = AllVectors();
  std::uint64_t top_k = 10;
  std::chrono::milliseconds window{std::chrono::minutes(5)};
  // How long an outgoing request makes the responses to it solicited.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  std::uint64_t request_table_size = 65536;
  std::uint64_t buffer_size_bytes = 32 << 20;
  bool promiscuous = false;
  // How often a capture that cannot open (no such interface, no permission) is retried.
  std::chrono::milliseconds retry_interval{std::chrono::seconds(10)};
  NtpReflectionConfig ntp;

  static std::vector<reflection::Vector> AllVectors();

  friend bool operator==(const ReflectionConfig&, const ReflectionConfig&) = default;
};

// One web server whose status page is fetched at scrape time.
struct HttpdServerConfig {
  std::string name;  // the `server` label
  Url url;           // server-status?auto (Apache) or stub_status (nginx), http or https
  std::string flavour = "auto";  // auto | apache | nginx
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  std::string username;  // basic auth, with password or password_file
  std::string password;
  std::string password_file;
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::string host;  // Host header override (name-based vhosts)
  // MaxRequestWorkers, when known: makes edgewatch_httpd_worker_slots exact (docs/metrics.md).
  std::uint64_t max_request_workers = 0;
};

// httpd worker load: status pages of configured servers, and web server processes in /proc.
struct HttpdConfig {
  bool enabled = true;
  std::vector<HttpdServerConfig> servers;
  // Process names (prefixes of /proc/PID/stat's command) counted without mod_status.
  std::vector<std::string> processes = {"apache2", "httpd", "php-fpm", "nginx"};
};

// One BGP neighbour probed with ICMP echo.
struct BgpNeighborConfig {
  std::string name;                  // the `neighbor` label
  std::string host;                  // as configured: an IP literal or a DNS name
  std::optional<IpAddress> address;  // set when `host` is an IP literal
  std::uint64_t asn = 0;
  std::string description;
  std::optional<std::chrono::milliseconds> interval;  // defaults from BgpConfig
  std::optional<std::chrono::milliseconds> timeout;
  std::uint64_t size = 64;           // ICMP message bytes (header + payload)
  std::optional<IpAddress> source;   // source address of the probes
  std::optional<std::uint64_t> ttl;  // IP TTL / hop limit of the probes
  std::optional<bool> tcp_probe;     // defaults from BgpConfig

  friend bool operator==(const BgpNeighborConfig&, const BgpNeighborConfig&) = default;
};

// BGP neighbour reachability.
struct BgpConfig {
  bool enabled = true;
  std::chrono::milliseconds interval{std::chrono::seconds(1)};
  std::chrono::milliseconds timeout{std::chrono::seconds(1)};
  std::uint64_t window = 3;  // up while fewer than this many probes in a row were lost
  // How often DNS names are resolved again (a failure is retried after a tenth of it).
  std::chrono::milliseconds resolve_interval{std::chrono::minutes(5)};
  // Also try a TCP connection to port 179 every tcp_probe_interval.
  bool tcp_probe = false;
  std::chrono::milliseconds tcp_probe_interval{std::chrono::seconds(10)};
  std::vector<BgpNeighborConfig> neighbors;

  friend bool operator==(const BgpConfig&, const BgpConfig&) = default;
};

// How log files are followed (access_log and mail_log each have these keys).
struct FollowConfig {
  // Rounds happen on every inotify change, and at least this often (the polling fallback).
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  // A file renamed away or replaced is read for this long after its last write.
  std::chrono::milliseconds rotate_wait{std::chrono::seconds(30)};
  std::uint64_t max_line_length = 64 * 1024;  // longer lines are cut and counted
  std::uint64_t max_files = 64;               // files followed per log (a glob's matches) at most

  friend bool operator==(const FollowConfig&, const FollowConfig&) = default;
};

struct AccessLogFileConfig {
  std::string name;    // the log label
  std::string path;    // a path or a glob
  std::string format;  // a predefined name or a format string; empty: detected per line

  friend bool operator==(const AccessLogFileConfig&, const AccessLogFileConfig&) = default;
};

// httpd access logs: request rates, xmlrpc / wp-login floods, pingbacks, exploit probes.
struct AccessLogConfig {
  bool enabled = true;
  std::vector<AccessLogFileConfig> logs;
  // A request path matches when it ends with one of these (query strings ignored), so
  // WordPress in a subdirectory (/blog/xmlrpc.php) counts too.
  std::vector<std::string> xmlrpc_paths = {"/xmlrpc.php"};
  std::vector<std::string> wp_login_paths = {"/wp-login.php"};
  std::uint64_t top_k = 10;  // clients shown per log
  std::chrono::milliseconds top_window{std::chrono::minutes(10)};
  FollowConfig follow;

  friend bool operator==(const AccessLogConfig&, const AccessLogConfig&) = default;
};

struct MailLogFileConfig {
  std::string name;  // the log label
  std::string path;  // a path or a glob

  friend bool operator==(const MailLogFileConfig&, const MailLogFileConfig&) = default;
};

// Mail logs: rejects, RBL hits, postscreen, content-filter verdicts, deliveries, snowshoe.
struct MailLogConfig {
  bool enabled = true;
  std::vector<MailLogFileConfig> logs;
  // RBL names kept as `rbl` label values; rejects by any other list count as "other".
  std::vector<std::string> rbls = {"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org",
                                   "psbl.surriel.com"};
  // The sliding window of the snowshoe indicators.
  std::chrono::milliseconds snowshoe_window{std::chrono::hours(1)};
  FollowConfig follow;

  friend bool operator==(const MailLogConfig&, const MailLogConfig&) = default;
};

// Config::source without --config.file.
inline constexpr char kEmbeddedDefaultSource[] = "<embedded default>";

// The whole configuration. Each collector has one section with at least `enabled`.
struct Config {
  std::string source;  // file it came from, or kEmbeddedDefaultSource
  GlobalConfig global;
  ProcessConfig process;
  ReflectionConfig reflection;
  HttpdConfig httpd;
  BgpConfig bgp;
  AccessLogConfig access_log;
  MailLogConfig mail_log;
};

// The configuration used when --config.file is not given, as YAML.
std::string_view EmbeddedDefaultConfig();

// Strict decoding: unknown keys, wrong types and bad values are errors. On failure the Error
// lists every problem, one "file:line:column: key.path: message" per line.
Expected<Config> ParseConfig(const std::string& yaml, const std::string& source);
Expected<Config> LoadConfigFile(const std::string& path);
Config DefaultConfig();
// The file when given, else the embedded default.
Expected<Config> LoadConfig(const std::optional<std::string>& file);

}  // namespace edgewatch
