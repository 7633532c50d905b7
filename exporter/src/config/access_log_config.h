#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/section.h"

namespace edgewatch {

struct AccessLogFileConfig {
  std::string name;    // the log label
  std::string path;    // a path or a glob; empty when read from the journal
  std::string format;  // a predefined name or a format string; empty: detected per line
  // The site of every line is the part of its file's name the first '*' of `path` matched
  // (per-site files such as /var/log/apache2/*-access.log), not %v / %{Host}i.
  bool vhost_from_path = false;
  std::optional<JournalLogConfig> journal{};  // read from the journal instead of files

  friend bool operator==(const AccessLogFileConfig&, const AccessLogFileConfig&) = default;
};
// httpd access logs: request rates, xmlrpc / wp-login floods, pingbacks, exploit probes.
struct AccessLogConfig {
  static constexpr std::string_view kKey = "access_log";

  bool enabled = true;
  std::vector<AccessLogFileConfig> logs;
  // A request path matches when it ends with one of these (query strings ignored), so
  // WordPress in a subdirectory (/blog/xmlrpc.php) counts too.
  std::vector<std::string> xmlrpc_paths = {"/xmlrpc.php"};
  std::vector<std::string> wp_login_paths = {"/wp-login.php"};
  std::uint64_t top_k = 10;  // clients, and sites of each kind, shown per log
  std::chrono::milliseconds top_window{std::chrono::minutes(10)};
  FollowConfig follow;

  friend bool operator==(const AccessLogConfig&, const AccessLogConfig&) = default;
};

extern const ConfigSection kAccessLogSection;

}  // namespace edgewatch
