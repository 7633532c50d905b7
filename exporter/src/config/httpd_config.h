#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/section.h"

namespace edgewatch {

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
  // The server's parent process (Debian: /run/apache2/apache2.pid): its child processes and CPU
  // are read from /proc at every scrape, so saturation shows while the status page cannot answer.
  std::string pid_file;
};
// httpd worker load: status pages of configured servers, and web server processes in /proc.
struct HttpdConfig {
  static constexpr std::string_view kKey = "httpd";

  bool enabled = true;
  std::vector<HttpdServerConfig> servers;
  // Process names (prefixes of /proc/PID/stat's command) counted without mod_status.
  std::vector<std::string> processes = {"apache2", "httpd", "php-fpm", "nginx"};
};

extern const ConfigSection kHttpdSection;

}  // namespace edgewatch
