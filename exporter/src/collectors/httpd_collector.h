#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "collectors/registry.h"
#include "config/httpd_config.h"
#include "core/collector.h"
#include "io/http_client.h"
#include "parsers/mod_status/mod_status.h"

namespace edgewatch {

// Web server worker load: each configured server's status page (Apache server-status?auto or
// nginx stub_status) fetched at scrape time, all servers at once, each within its own timeout;
// and, without mod_status, the web server processes found in /proc. A server that fails is
// edgewatch_httpd_up 0 with one log line naming it and the reason; nothing else is affected.
class HttpdCollector final : public Collector {
 public:
  HttpdCollector(const HttpdConfig& config, std::string procfs_root, const Clock& clock,
                 Logger logger);

  // Builds TLS contexts and reads password files; an error rejects the config.
  Status Start() override;
  Status Collect(MetricSink& sink) const override;

  // Replay: a saved status page, exported as if fetched from a server named after the file.
  Status Replay(const std::string& path) override;

 private:
  void Export(MetricSink& sink, const std::string& server, std::uint64_t max_request_workers,
              const mod_status::Status& status) const;
  void ExportProcesses(MetricSink& sink) const;

  HttpdConfig config_;
  std::string procfs_root_;
  Logger logger_;
  // Keeps each server's connection between scrapes. Collections are single-flight (the
  // CollectorSet), the lock only makes that explicit.
  mutable std::mutex client_mu_;
  // One per server, built by Start(); keep_alive set from each server's last page.
  mutable std::vector<io::HttpGet> requests_;
  mutable io::HttpClient client_;
  std::vector<std::pair<std::string, mod_status::Status>> replayed_;
  mutable std::mutex errors_mu_;
  mutable std::vector<std::string> last_errors_;  // guarded by errors_mu_: per server
  // Failed fetches per server and reason (kFailureReasons), guarded by errors_mu_.
  mutable std::vector<std::array<std::uint64_t, 5>> failures_;
  // Per server, guarded by errors_mu_: the child-process ceiling from the last good page.
  mutable std::vector<std::optional<double>> child_limits_;
  double ticks_per_second_;
};

extern const CollectorRegistration kHttpdCollector;

}  // namespace edgewatch
