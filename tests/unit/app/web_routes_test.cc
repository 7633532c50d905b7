#include "app/web_routes.h"

#include <gtest/gtest.h>

#include <sstream>

#include "testutil/fake_clock.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

// htpasswd -nbBC 4 alice 'p:ss wörd'
constexpr char kAliceHash[] = "$2y$04$cKALKcEqepsi444uQk4gz.LsdcNOwtq2UcRCHqtGvMLpv42/nqMIa";

class WebRoutesTest : public ::testing::Test {
 protected:
  HttpResponse Get(const BasicAuthenticator& auth, const std::string& method,
                   const std::string& target, const std::string& authorization = "") {
    return MakeWebHandler(exporter_, auth, {"/metrics", true},
                          clock_)({method, target, authorization});
  }

  std::ostringstream log_;
  testing::FakeClock clock_;
  Exporter exporter_{{std::nullopt, {{"reflection", false}}, testing::TestData("procfs")},
                     AllCollectors(),
                     clock_,
                     Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_)};
  BasicAuthenticator no_auth_{{}};
};

// POST /-/reload is opt-in and rate-limited: one POST every 100 ms used to hold every counter
// at 0.
TEST_F(WebRoutesTest, ReloadOverHttpIsOptInAndRateLimited) {
  ASSERT_TRUE(exporter_.Start().ok());
  const auto off = MakeWebHandler(exporter_, no_auth_, {"/metrics", false}, clock_);
  const HttpResponse refused = off({"POST", "/-/reload", ""});
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.body, "Lifecycle API is not enabled (--web.enable-lifecycle); send SIGHUP.\n");
  const auto on = MakeWebHandler(exporter_, no_auth_, {"/metrics", true}, clock_);
  EXPECT_EQ(on({"POST", "/-/reload", ""}).status, 200u);
  const HttpResponse again = on({"POST", "/-/reload", ""});
  EXPECT_EQ(again.status, 429u);
  EXPECT_EQ(again.headers.at(0), (std::pair<std::string, std::string>{"Retry-After", "1"}));
  clock_.Advance(kReloadInterval);
  EXPECT_EQ(on({"PUT", "/-/reload", ""}).status, 200u);
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

TEST_F(WebRoutesTest, BasicAuthGuardsEveryPath) {
  ASSERT_TRUE(exporter_.Start().ok());
  BasicAuthenticator auth(std::map<std::string, std::string>{{"alice", kAliceHash}});
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
}

}  // namespace
}  // namespace edgewatch
