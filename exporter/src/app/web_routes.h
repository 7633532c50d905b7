#pragma once

#include <memory>
#include <string>

#include "app/basic_auth.h"
#include "app/exporter.h"
#include "app/http_server.h"

namespace edgewatch {

// The exporter's HTTP endpoints: the telemetry path, a landing page at /, /-/healthy,
// /-/ready and POST /-/reload. Every path sits behind basic auth when users are configured.
// `exporter` and `auth` must outlive the handler.
HttpHandler MakeWebHandler(Exporter& exporter, const BasicAuthenticator& auth,
                           std::string telemetry_path);

// Content-Type of the Prometheus text format 0.0.4.
inline constexpr char kTextFormatContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace edgewatch
