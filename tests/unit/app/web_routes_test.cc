#include "app/web_routes.h"

#include <gtest/gtest.h>

#include <future>
#include <sstream>
#include <thread>

#include "testutil/fake_clock.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

// htpasswd -nbBC 4 alice 'p:ss wörd'
constexpr char kAliceHash[] = "$2y$04$cKALKcEqepsi444uQk4gz.LsdcNOwtq2UcRCHqtGvMLpv42/nqMIa";

// Waits for what `routes` answers, on whichever thread it answers.
HttpResponse Call(WebRoutes& routes, const std::string& method, const std::string& target,
                  const std::string& authorization = "", const std::string& accept = "") {
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  auto got = answer->get_future();
  routes.Handle({method, target, authorization, accept},
                [answer](HttpResponse r) { answer->set_value(std::move(r)); });
  return got.get();
}

class WebRoutesTest : public ::testing::Test {
 protected:
  HttpResponse Get(std::shared_ptr<const BasicAuthenticator> auth, const std::string& method,
                   const std::string& target, const std::string& authorization = "") {
    WebRoutes routes(exporter_, auth, {"/metrics", true}, clock_, server_stats_);
    return Call(routes, method, target, authorization);
  }

  HttpServerStats server_stats_;
  std::ostringstream log_;
  testing::FakeClock clock_;
  Exporter exporter_{{std::nullopt, {{"reflection", false}}, testing::TestData("procfs")},
                     AllCollectors(),
                     clock_,
                     Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_)};
  std::shared_ptr<const BasicAuthenticator> no_auth_ =
      std::make_shared<BasicAuthenticator>(std::map<std::string, std::string>{});
};

// POST /-/reload is opt-in and rate-limited: one POST every 100 ms used to hold every counter
// at 0.
TEST_F(WebRoutesTest, ReloadOverHttpIsOptInAndRateLimited) {
  ASSERT_TRUE(exporter_.Start().ok());
  WebRoutes off(exporter_, no_auth_, {"/metrics", false}, clock_, server_stats_);
  const HttpResponse refused = Call(off, "POST", "/-/reload");
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.body, "Lifecycle API is not enabled (--web.enable-lifecycle); send SIGHUP.\n");
  WebRoutes on(exporter_, no_auth_, {"/metrics", true}, clock_, server_stats_);
  EXPECT_EQ(Call(on, "POST", "/-/reload").status, 200u);
  const HttpResponse again = Call(on, "POST", "/-/reload");
  EXPECT_EQ(again.status, 429u);
  EXPECT_EQ(again.headers.at(0), (std::pair<std::string, std::string>{"Retry-After", "1"}));
  clock_.Advance(kReloadInterval);
  EXPECT_EQ(Call(on, "PUT", "/-/reload").status, 200u);
}

TEST_F(WebRoutesTest, NotReadyBeforeStart) {
  EXPECT_EQ(Get(no_auth_, "GET", "/-/ready").status, 503u);
  EXPECT_EQ(Get(no_auth_, "GET", "/-/healthy").status, 200u);
}

TEST_F(WebRoutesTest, ServesEndpoints) {
  ASSERT_TRUE(exporter_.Start().ok());
  const HttpResponse metrics = Get(no_auth_, "GET", "/metrics?x=1");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(metrics.compressible);
  EXPECT_NE(metrics.body.find("# TYPE process_open_fds gauge\n"), std::string::npos);

  const HttpResponse landing = Get(no_auth_, "GET", "/");
  EXPECT_EQ(landing.content_type, "text/html; charset=utf-8");
  EXPECT_NE(landing.body.find("<a href=\"/metrics\">Metrics</a>"), std::string::npos);
  EXPECT_NE(landing.body.find("<li>process</li>"), std::string::npos);

  EXPECT_EQ(Get(no_auth_, "GET", "/-/ready").status, 200u);
  EXPECT_EQ(Get(no_auth_, "HEAD", "/-/healthy").status, 200u);
  EXPECT_EQ(Get(no_auth_, "GET", "/nope").status, 404u);
  EXPECT_EQ(Get(no_auth_, "POST", "/metrics").status, 405u);
  const HttpResponse get_reload = Get(no_auth_, "GET", "/-/reload");
  EXPECT_EQ(get_reload.status, 405u);
  EXPECT_EQ(get_reload.headers.at(0), (std::pair<std::string, std::string>{"Allow", "POST, PUT"}));
  const HttpResponse reload = Get(no_auth_, "POST", "/-/reload");
  EXPECT_EQ(reload.status, 200u);
  EXPECT_EQ(reload.body, "configuration reloaded\n");
}

// What Prometheus 2.42 sends by default gets OpenMetrics; curl's */* and a text scraper get text.
TEST_F(WebRoutesTest, ScrapesInTheFormatTheScraperAsksFor) {
  ASSERT_TRUE(exporter_.Start().ok());
  WebRoutes routes(exporter_, no_auth_, {"/metrics", false}, clock_, server_stats_);
  const HttpResponse om =
      Call(routes, "GET", "/metrics", "",
           "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
           "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
  EXPECT_EQ(om.content_type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_TRUE(om.body.ends_with("# EOF\n"));
  EXPECT_NE(om.body.find("# TYPE edgewatch_config_last_reload_successful gauge\n"),
            std::string::npos);
  for (const char* accept : {"", "*/*", "text/plain;version=0.0.4"}) {
    const HttpResponse text = Call(routes, "GET", "/metrics", "", accept);
    EXPECT_EQ(text.content_type, "text/plain; version=0.0.4; charset=utf-8") << accept;
    EXPECT_FALSE(text.body.ends_with("# EOF\n"));
  }
}

TEST_F(WebRoutesTest, BasicAuthGuardsEveryPath) {
  ASSERT_TRUE(exporter_.Start().ok());
  const auto auth = std::make_shared<BasicAuthenticator>(
      std::map<std::string, std::string>{{"alice", kAliceHash}});
  for (const char* path : {"/metrics", "/", "/-/healthy", "/-/ready", "/nope"}) {
    const HttpResponse denied = Get(auth, "GET", path);
    EXPECT_EQ(denied.status, 401u) << path;
    EXPECT_EQ(denied.body.find("process_"), std::string::npos);
    EXPECT_EQ(denied.headers.at(0), (std::pair<std::string, std::string>{
                                        "WWW-Authenticate", "Basic realm=\"edgewatch\""}));
  }
  EXPECT_EQ(Get(auth, "POST", "/-/reload").status, 401u);
  // "alice:p:ss wörd" in base64
  const HttpResponse ok = Get(auth, "GET", "/metrics", "Basic YWxpY2U6cDpzcyB3w7ZyZA==");
  EXPECT_EQ(ok.status, 200u);
  // A reload needs --web.enable-lifecycle (on here) and the credentials.
  EXPECT_EQ(Get(auth, "POST", "/-/reload", "Basic YWxpY2U6cDpzcyB3w7ZyZA==").status, 200u);
}

// The web server's own families come with every scrape.
TEST_F(WebRoutesTest, ScrapesCarryTheWebServersMetrics) {
  ASSERT_TRUE(exporter_.Start().ok());
  server_stats_.evicted = 7;
  server_stats_.open = 3;
  const std::string body = Get(no_auth_, "GET", "/metrics").body;
  EXPECT_NE(body.find("\nedgewatch_web_connections_evicted_total 7\n"), std::string::npos);
  EXPECT_NE(body.find("\nedgewatch_web_connections 3\n"), std::string::npos);
  EXPECT_NE(body.find("\nedgewatch_web_requests_rejected_total{reason=\"max_requests\"} 0\n"),
            std::string::npos);
}

// Holds every scrape until released, as a slow status page would.
std::shared_future<void> scrape_gate;

class GateCollector final : public Collector {
 public:
  Status Collect(MetricSink&) const override {
    scrape_gate.wait();
    return {};
  }
};

constexpr CollectorRegistration kGateRegistry[] = {
    {"gate",
     "holds scrapes",
     [](const Config&) { return true; },
     [](const CollectorContext&) -> std::unique_ptr<Collector> {
       return std::make_unique<GateCollector>();
     },
     nullptr,
     {},
     {},
     nullptr},
};

// Past --web.max-requests a scrape is answered 503 at once, counted, while /-/healthy is
// answered as ever; the held scrape finishes when its collector does.
TEST_F(WebRoutesTest, ScrapesBeyondMaxRequestsGet503AtOnce) {
  std::promise<void> release;
  scrape_gate = release.get_future().share();
  Exporter exporter({std::nullopt, {}, testing::TestData("procfs")}, kGateRegistry, clock_,
                    Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_));
  ASSERT_TRUE(exporter.Start().ok());
  WebRoutes routes(exporter, no_auth_, {"/metrics", false, 1}, clock_, server_stats_);
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  auto held = answer->get_future();
  routes.Handle({"GET", "/metrics", "", ""},
                [answer](HttpResponse r) { answer->set_value(std::move(r)); });
  const HttpResponse second = Call(routes, "GET", "/metrics");
  EXPECT_EQ(second.status, 503u);
  EXPECT_EQ(second.body, "Limit of concurrent requests reached (1), try again later.\n");
  EXPECT_EQ(Call(routes, "GET", "/-/healthy").status, 200u);
  release.set_value();
  EXPECT_EQ(held.get().status, 200u);
  // The worker answers before it counts itself free: a scrape right after may still be 503.
  HttpResponse after = Call(routes, "GET", "/metrics");
  int rejected = 1;
  for (int i = 0; i < 100000 && after.status == 503u; ++i) {
    ++rejected;
    std::this_thread::yield();
    after = Call(routes, "GET", "/metrics");
  }
  ASSERT_EQ(after.status, 200u);
  const std::string body = after.body;
  EXPECT_NE(body.find("\nedgewatch_web_requests_rejected_total{reason=\"max_requests\"} " +
                      std::to_string(rejected) + "\n"),
            std::string::npos)
      << body;
  exporter.Stop();
}

}  // namespace
}  // namespace edgewatch
