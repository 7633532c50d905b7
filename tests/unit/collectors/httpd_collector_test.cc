#include "collectors/httpd_collector.h"

#include <gtest/gtest.h>

#include <sstream>

#include "testutil/fake_clock.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

const prometheus::ClientMetric* Find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name, const std::string& label) {
  for (const auto& f : families) {
    if (f.name != name) {
      continue;
    }
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) {
        if (l.value == label) {
          return &m;
        }
      }
    }
  }
  return nullptr;
}

class HttpdCollectorTest : public ::testing::Test {
 protected:
  std::vector<prometheus::MetricFamily> Collect(const HttpdConfig& config) {
    HttpdCollector collector(config, testing::TestData("procfs-httpd"), clock_,
                             Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_));
    EXPECT_TRUE(collector.Start().ok());
    MetricSink sink;
    EXPECT_TRUE(collector.Collect(sink).ok());
    return std::move(sink).Take();
  }

  std::ostringstream log_;
  testing::FakeClock clock_;
};

// Expected values: worked out by hand in tests/testdata/procfs-httpd/README.md.
TEST_F(HttpdCollectorTest, CountsWebServerProcessesAndTheirCpu) {
  const auto families = Collect(HttpdConfig{});
  EXPECT_EQ(Find(families, "edgewatch_httpd_processes", "apache2")->gauge.value, 3);
  EXPECT_DOUBLE_EQ(
      Find(families, "edgewatch_httpd_process_cpu_seconds_total", "apache2")->counter.value, 9.8);
  EXPECT_EQ(Find(families, "edgewatch_httpd_processes", "php-fpm")->gauge.value, 2);
  EXPECT_DOUBLE_EQ(
      Find(families, "edgewatch_httpd_process_cpu_seconds_total", "php-fpm")->counter.value, 2.5);
  EXPECT_EQ(Find(families, "edgewatch_httpd_processes", "httpd")->gauge.value, 0);
  EXPECT_EQ(Find(families, "edgewatch_httpd_processes", "nginx")->gauge.value, 0);
}

TEST_F(HttpdCollectorTest, FollowsEachServersProcessesFromItsPidFile) {
  HttpdConfig config;
  auto& www = config.servers.emplace_back();
  www.name = "www";
  www.url = Url{"http", "127.0.0.1", 9, "/server-status?auto"};  // discard: nothing answers
  www.timeout = std::chrono::milliseconds(200);
  www.pid_file = testing::TestData("procfs-httpd/apache2.pid");
  auto& gone = config.servers.emplace_back(www);
  gone.name = "gone";
  gone.pid_file = testing::TestData("procfs-httpd/no-such.pid");
  const auto families = Collect(config);
  EXPECT_EQ(Find(families, "edgewatch_httpd_server_child_processes", "www")->gauge.value, 2);
  EXPECT_DOUBLE_EQ(Find(families, "edgewatch_httpd_server_cpu_seconds_total", "www")->counter.value,
                   9.8);
  EXPECT_EQ(Find(families, "edgewatch_httpd_server_child_processes", "gone"), nullptr);
  // No good page yet: the ceiling is unknown, not 0.
  EXPECT_EQ(Find(families, "edgewatch_httpd_server_child_process_limit", "www"), nullptr);
  EXPECT_EQ(Find(families, "edgewatch_host_load", "1m")->gauge.value, 41.02);
  EXPECT_EQ(Find(families, "edgewatch_host_load", "15m")->gauge.value, 3.1);
}

TEST_F(HttpdCollectorTest, ReplaysSavedPagesAndRejectsOthers) {
  HttpdCollector collector(HttpdConfig{}, testing::TestData("procfs-httpd"), clock_,
                           Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_));
  ASSERT_TRUE(
      collector.Replay(testing::TestData("mod_status/nginx-stub-status-SYNTHETIC.txt")).ok());
  MetricSink sink;
  ASSERT_TRUE(collector.Collect(sink).ok());
  const auto families = std::move(sink).Take();
  const auto* info = Find(families, "edgewatch_httpd_info", "nginx");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(Find(families, "edgewatch_httpd_accesses_total", "nginx-stub-status-SYNTHETIC.txt")
                ->counter.value,
            31070465);
  EXPECT_EQ(Find(families, "edgewatch_httpd_connections", "waiting")->gauge.value, 106);
  EXPECT_EQ(Find(families, "edgewatch_httpd_scoreboard", "waiting"), nullptr);  // nginx has none

  Status bad = collector.Replay(testing::TestData("procfs-httpd/README.md"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            testing::TestData("procfs-httpd/README.md") +
                ": not a server-status?auto or stub_status page (no known field in the reply)");
}

}  // namespace
}  // namespace edgewatch
