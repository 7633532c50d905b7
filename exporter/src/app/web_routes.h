#pragma once

#include <memory>
#include <string>

#include "app/basic_auth.h"
#include "app/exporter.h"
#include "app/http_server.h"

namespace edgewatch {

struct WebOptions {
  std::string telemetry_path = "/metrics";
  // --web.enable-lifecycle: POST /-/reload works (as Prometheus' flag of that name). Off, anyone
  // who reaches the port could otherwise restart collectors at will.
  bool enable_lifecycle = false;
};

// Reloads over HTTP at most this often; more are answered 429.
inline constexpr std::chrono::seconds kReloadInterval{1};

// The exporter's HTTP endpoints: the telemetry path, a landing page at /, /-/healthy,
// /-/ready and POST /-/reload (with --web.enable-lifecycle, rate-limited). Every path sits
// behind basic auth when users are configured. `exporter`, `auth` and `clock` must outlive the
// handler; it is called from several I/O threads at once.
HttpHandler MakeWebHandler(Exporter& exporter, const BasicAuthenticator& auth, WebOptions options,
                           const Clock& clock);

// Content-Type of the Prometheus text format 0.0.4.
inline constexpr char kTextFormatContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace edgewatch
