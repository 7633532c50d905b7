#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/basic_auth.h"
#include "app/exporter.h"
#include "app/http_server.h"
#include "core/clock.h"
#include "core/metric_sink.h"
#include "core/work_pool.h"

namespace edgewatch {

struct WebOptions {
  std::string telemetry_path = "/metrics";
  // --web.enable-lifecycle: POST /-/reload works (as Prometheus' flag of that name). Off, anyone
  // who reaches the port could otherwise restart collectors at will.
  bool enable_lifecycle = false;
  // --web.max-requests: scrapes and reloads served at once, as node_exporter's flag; more are
  // answered 503 at once. 0: no limit.
  std::size_t max_requests = 40;
  // --web.disable-exporter-metrics clears it: scrapes leave out edgewatch_web_*.
  bool exporter_metrics = true;
};

// Reloads over HTTP at most this often; more are answered 429.
inline constexpr std::chrono::seconds kReloadInterval{1};
// bcrypt checks run on this many threads, with at most kVerifyBacklog waiting or running; more
// are answered 429 at once, so a wrong-password flood never delays a scrape whose credentials
// passed before, /-/healthy, or a 401.
inline constexpr std::size_t kVerifyThreads = 2;
inline constexpr std::size_t kVerifyBacklog = 16;
// Scrapes run on at most this many threads (fewer when --web.max-requests is lower).
inline constexpr std::size_t kMaxScrapeThreads = 16;

// The exporter's HTTP endpoints: the telemetry path, a landing page at /, /-/healthy,
// /-/ready and POST /-/reload (with --web.enable-lifecycle, rate-limited). Every path sits
// behind basic auth when users are configured. Cheap answers come at once on the caller's
// thread; bcrypt checks, scrapes and reloads run on pools of their own, bounded, so nothing
// blocks an I/O thread. `exporter`, `clock` and `server_stats` must outlive it.
class WebRoutes {
 public:
  WebRoutes(Exporter& exporter, std::shared_ptr<const BasicAuthenticator> auth, WebOptions options,
            const Clock& clock, const HttpServerStats& server_stats);
  ~WebRoutes();
  WebRoutes(const WebRoutes&) = delete;
  WebRoutes& operator=(const WebRoutes&) = delete;

  // Thread-safe; `respond` is called once, maybe on another thread.
  void Handle(const HttpRequest& request, HttpRespond respond);
  // Handle() as the HttpServer takes it.
  HttpHandler Handler();
  // Finishes the work under way and refuses more.
  void Stop();
  // The users requests are checked against from now on (a web config that changed); a check
  // under way finishes with the old ones. Thread-safe.
  void SetAuthenticator(std::shared_ptr<const BasicAuthenticator> auth);

  // The families the routes add to a scrape (edgewatch_web_requests_rejected_total).
  static MetricCatalogue Metrics();

 private:
  void Route(const HttpRequest& request, const HttpRespond& respond);
  HttpResponse Scrape(ExpositionFormat format) const;
  HttpResponse Reload();

  Exporter& exporter_;
  std::shared_ptr<const BasicAuthenticator> Authenticator() const;

  mutable std::mutex auth_mu_;
  std::shared_ptr<const BasicAuthenticator> auth_;  // guarded by auth_mu_
  const WebOptions options_;
  const Clock& clock_;
  const HttpServerStats& server_stats_;
  std::mutex reload_mu_;
  std::optional<Clock::MonotonicTime> last_reload_;  // guarded by reload_mu_
  std::atomic<std::uint64_t> rejected_max_requests_{0};
  std::atomic<std::uint64_t> rejected_verify_busy_{0};
  WorkPool verifies_;
  WorkPool requests_;  // scrapes and reloads
};

// Content-Type of the Prometheus text format 0.0.4.

}  // namespace edgewatch
