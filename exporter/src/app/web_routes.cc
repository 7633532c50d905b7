#include "app/web_routes.h"

#include <algorithm>
#include <cstdint>
#include <functional>

#include "core/version.h"

namespace edgewatch {
namespace {

constexpr MetricDesc kRequestsRejected{
    "edgewatch_web_requests_rejected_total", prometheus::MetricType::Counter,
    "Requests answered at once without being served: reason max_requests (503, "
    "--web.max-requests scrapes already running) or verify_busy (429, too many password checks "
    "under way)."};
constexpr const MetricDesc* kMetrics[] = {&kRequestsRejected};

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

WebRoutes::WebRoutes(Exporter& exporter, std::shared_ptr<const BasicAuthenticator> auth,
                     WebOptions options, const Clock& clock, const HttpServerStats& server_stats)
    : exporter_(exporter),
      auth_(std::move(auth)),
      options_(std::move(options)),
      clock_(clock),
      server_stats_(server_stats),
      verifies_(kVerifyThreads, kVerifyBacklog),
      requests_(options_.max_requests == 0 ? kMaxScrapeThreads
                                           : std::min(options_.max_requests, kMaxScrapeThreads),
                options_.max_requests == 0 ? SIZE_MAX : options_.max_requests) {}

WebRoutes::~WebRoutes() { Stop(); }

void WebRoutes::Stop() {
  verifies_.Stop();  // first: a verified request may still go on to requests_
  requests_.Stop();
}

MetricCatalogue WebRoutes::Metrics() { return kMetrics; }

HttpHandler WebRoutes::Handler() {
  return [this](const HttpRequest& request, HttpRespond respond) {
    Handle(request, std::move(respond));
  };
}

void WebRoutes::SetAuthenticator(std::shared_ptr<const BasicAuthenticator> auth) {
  std::lock_guard<std::mutex> lock(auth_mu_);
  auth_ = std::move(auth);
}

std::shared_ptr<const BasicAuthenticator> WebRoutes::Authenticator() const {
  std::lock_guard<std::mutex> lock(auth_mu_);
  return auth_;
}

void WebRoutes::Handle(const HttpRequest& request, HttpRespond respond) {
  const auto unauthorized = [] {
    HttpResponse r = Text(401, "Unauthorized\n");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"edgewatch\"");
    return r;
  };
  auto auth = Authenticator();
  switch (auth->Check(request.authorization)) {
    case BasicAuthenticator::Verdict::kAllowed:
      Route(request, respond);
      return;
    case BasicAuthenticator::Verdict::kDenied:
      respond(unauthorized());
      return;
    case BasicAuthenticator::Verdict::kNeedsVerify:
      break;
  }
  if (!verifies_.TryPost([this, auth, request, respond, unauthorized] {
        if (auth->Verify(request.authorization)) {
          Route(request, respond);
        } else {
          respond(unauthorized());
        }
      })) {
    ++rejected_verify_busy_;
    HttpResponse r = Text(429, "too many password checks under way; try again later\n");
    r.headers.emplace_back("Retry-After", "1");
    respond(std::move(r));
  }
}

void WebRoutes::Route(const HttpRequest& request, const HttpRespond& respond) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const auto slow = [&](std::function<HttpResponse()> work) {
    if (!requests_.TryPost([respond, work = std::move(work)] { respond(work()); })) {
      ++rejected_max_requests_;
      respond(Text(503, "Limit of concurrent requests reached (" +
                            std::to_string(requests_.capacity()) + "), try again later.\n"));
    }
  };
  if (path == options_.telemetry_path) {
    if (!IsRead(request.method)) {
      respond(MethodNotAllowed("GET, HEAD"));
      return;
    }
    slow([this, format = NegotiateExposition(request.accept)] { return Scrape(format); });
    return;
  }
  if (path == "/-/reload") {
    if (request.method != "POST" && request.method != "PUT") {
      respond(MethodNotAllowed("POST, PUT"));
    } else if (!options_.enable_lifecycle) {
      respond(Text(403, "Lifecycle API is not enabled (--web.enable-lifecycle); send SIGHUP.\n"));
    } else {
      slow([this] { return Reload(); });
    }
    return;
  }
  if (!IsRead(request.method)) {
    respond(MethodNotAllowed("GET, HEAD"));
  } else if (path == "/-/healthy") {
    respond(Text(200, "Healthy.\n"));
  } else if (path == "/-/ready") {
    respond(exporter_.Ready() ? Text(200, "Ready.\n") : Text(503, "Not ready.\n"));
  } else if (path == "/") {
    respond(LandingPage(exporter_, options_.telemetry_path));
  } else {
    respond(Text(404, "not found\n"));
  }
}

HttpResponse WebRoutes::Scrape(ExpositionFormat format) const {
  HttpResponse r = Text(200, exporter_.Scrape(
                                 [this](MetricSink& sink) {
                                   if (!options_.exporter_metrics) {
                                     return;
                                   }
                                   AddHttpServerMetrics(sink, server_stats_);
                                   sink.Add(kRequestsRejected, {{"reason", "max_requests"}},
                                            static_cast<double>(rejected_max_requests_.load()));
                                   sink.Add(kRequestsRejected, {{"reason", "verify_busy"}},
                                            static_cast<double>(rejected_verify_busy_.load()));
                                 },
                                 format));
  r.content_type = std::string(ContentTypeOf(format));
  r.compressible = true;
  return r;
}

HttpResponse WebRoutes::Reload() {
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    const auto now = clock_.Monotonic();
    if (last_reload_ && now - *last_reload_ < kReloadInterval) {
      HttpResponse r = Text(429, "too many reloads; at most one a second\n");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    last_reload_ = now;
  }
  Status s = exporter_.Reload();
  return s ? Text(200, "configuration reloaded\n")
           : Text(500, "failed to reload config:\n" + s.error().message + "\n");
}

}  // namespace edgewatch
