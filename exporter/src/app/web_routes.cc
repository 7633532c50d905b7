#include "app/web_routes.h"

#include <memory>
#include <mutex>
#include <optional>

#include "core/version.h"

namespace edgewatch {
namespace {

HttpResponse Text(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HttpResponse LandingPage(const Exporter& exporter, const std::string& telemetry_path) {
  std::string collectors;
  for (const auto& name : exporter.EnabledCollectors()) {
    collectors += "<li>" + EscapeHtml(name) + "</li>";
  }
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!DOCTYPE html>\n<html><head><title>edgewatch</title></head><body>\n"
      "<h1>edgewatch</h1>\n<p>Prometheus exporter for edge attack precursors, version " +
      std::string(kVersion) + " (" + kRevision + ").</p>\n<p><a href=\"" +
      EscapeHtml(telemetry_path) + "\">Metrics</a></p>\n<h2>Enabled collectors</h2>\n<ul>" +
      collectors +
      "</ul>\n<p><a href=\"/-/healthy\">/-/healthy</a> <a href=\"/-/ready\">/-/ready</a>"
      "</p>\n</body></html>\n";
  return r;
}

bool IsRead(const std::string& method) { return method == "GET" || method == "HEAD"; }

HttpResponse MethodNotAllowed(std::string allow) {
  HttpResponse r = Text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

}  // namespace

HttpHandler MakeWebHandler(Exporter& exporter, const BasicAuthenticator& auth, WebOptions options,
                           const Clock& clock) {
  struct ReloadGate {
    std::mutex mu;
    std::optional<Clock::MonotonicTime> last;  // guarded by mu
  };
  auto gate = std::make_shared<ReloadGate>();
  return [&exporter, &auth, &clock, gate, options = std::move(options)](const HttpRequest& req) {
    const std::string& telemetry_path = options.telemetry_path;
    if (!auth.Allows(req.authorization)) {
      HttpResponse r = Text(401, "Unauthorized\n");
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"edgewatch\"");
      return r;
    }
    const std::string path = req.target.substr(0, req.target.find('?'));
    if (path == telemetry_path) {
      if (!IsRead(req.method)) {
        return MethodNotAllowed("GET, HEAD");
      }
      HttpResponse r = Text(200, exporter.Scrape());
      r.content_type = kTextFormatContentType;
      r.compressible = true;
      return r;
    }
    if (path == "/-/reload") {
      if (req.method != "POST" && req.method != "PUT") {
        return MethodNotAllowed("POST, PUT");
      }
      if (!options.enable_lifecycle) {
        return Text(403, "Lifecycle API is not enabled (--web.enable-lifecycle); send SIGHUP.\n");
      }
      {
        std::lock_guard<std::mutex> lock(gate->mu);
        const auto now = clock.Monotonic();
        if (gate->last && now - *gate->last < kReloadInterval) {
          HttpResponse r = Text(429, "too many reloads; at most one a second\n");
          r.headers.emplace_back("Retry-After", "1");
          return r;
        }
        gate->last = now;
      }
      Status s = exporter.Reload();
      return s ? Text(200, "configuration reloaded\n")
               : Text(500, "failed to reload config:\n" + s.error().message + "\n");
    }
    if (!IsRead(req.method)) {
      return MethodNotAllowed("GET, HEAD");
    }
    if (path == "/-/healthy") {
      return Text(200, "Healthy.\n");
    }
    if (path == "/-/ready") {
      return exporter.Ready() ? Text(200, "Ready.\n") : Text(503, "Not ready.\n");
    }
    if (path == "/") {
      return LandingPage(exporter, telemetry_path);
    }
    return Text(404, "not found\n");
  };
}

}  // namespace edgewatch
