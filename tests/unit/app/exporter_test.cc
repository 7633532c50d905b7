#include "app/exporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/access_log_config.h"
#include "config/bgp_config.h"
#include "config/mail_log_config.h"
#include "config/reflection_config.h"
#include "testutil/fake_clock.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

// Keeps these tests to the process collector: no capture, no status pages.
const std::string kNoCapture =
    "reflection:\n  enabled: false\nhttpd:\n  enabled: false\nbgp:\n  enabled: "
    "false\naccess_log:\n  enabled: false\nmail_log:\n  enabled: false\n";

// Records starts and stops, and exports which instance it is.
struct Lifecycle {
  int made = 0;
  int started = 0;
  int stopped = 0;
  std::uint64_t reconfigured_window = 0;
};
Lifecycle lifecycle;

constexpr MetricDesc kInstance{"test_instance", prometheus::MetricType::Gauge,
                               "Which instance this is."};

class TrackedCollector : public Collector {
 public:
  TrackedCollector() : instance_(++lifecycle.made) {}
  Status Start() override {
    ++lifecycle.started;
    return {};
  }
  void Stop() override { ++lifecycle.stopped; }
  Status Collect(MetricSink& sink) const override {
    sink.Add(kInstance, {}, instance_);
    return {};
  }

 private:
  int instance_;
};

class FailingCollector : public Collector {
 public:
  Status Start() override { return Error{"cannot start"}; }
  Status Collect(MetricSink&) const override { return {}; }
};

// "tracked" carries over while bgp.interval is unchanged; "failing" runs while bgp.window is 7.
constexpr CollectorRegistration kTestRegistry[] = {
    {"tracked",
     "test",
     [](const Config&) { return true; },
     [](const CollectorContext&) -> std::unique_ptr<Collector> {
       return std::make_unique<TrackedCollector>();
     },
     [](Collector&, const Config& running, const Config& next) -> TakeOver {
       if (running.Section<BgpConfig>().interval != next.Section<BgpConfig>().interval) {
         return std::nullopt;
       }
       return [&next] { lifecycle.reconfigured_window = next.Section<BgpConfig>().window; };
     },
     {},
     {},
     &kBgpSection},
    {"failing",
     "test",
     [](const Config& c) { return c.Section<BgpConfig>().window == 7; },
     [](const CollectorContext&) -> std::unique_ptr<Collector> {
       return std::make_unique<FailingCollector>();
     },
     nullptr,
     {},
     {},
     nullptr},
};

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgewatch-exporter-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    config_ = (dir_ / "edgewatch.yml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteConfig(const std::string& text) { std::ofstream(config_) << text; }

  Exporter Make(std::span<const CollectorRegistration> registry = AllCollectors()) {
    return Exporter({config_, {}, testing::TestData("procfs")}, registry, clock_,
                    Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_));
  }

  std::filesystem::path dir_;
  std::string config_;
  std::ostringstream log_;
  testing::FakeClock clock_;
};

TEST_F(ExporterTest, ScrapeHasCollectorsAndMetaMetrics) {
  WriteConfig("process:\n  enabled: true\n" + kNoCapture);
  Exporter exporter = Make();
  ASSERT_FALSE(exporter.Ready());
  ASSERT_TRUE(exporter.Start().ok());
  EXPECT_TRUE(exporter.Ready());
  const std::string text = exporter.Scrape();
  EXPECT_NE(text.find("\nprocess_open_fds 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("edgewatch_scrape_collector_success{collector=\"process\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("edgewatch_build_info{version=\""), std::string::npos);
  EXPECT_NE(text.find("\nedgewatch_config_last_reload_successful 1\n"), std::string::npos);
  // FakeClock starts at 1800000000 s.
  EXPECT_NE(text.find("\nedgewatch_config_last_reload_success_timestamp_seconds 1800000000\n"),
            std::string::npos)
      << text;
}

TEST_F(ExporterTest, BadReloadKeepsRunningConfig) {
  WriteConfig("process:\n  enabled: true\n" + kNoCapture);
  Exporter exporter = Make();
  ASSERT_TRUE(exporter.Start().ok());
  clock_.Advance(std::chrono::seconds(60));

  WriteConfig("process:\n  enabled: perhaps\n" + kNoCapture);
  Status s = exporter.Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            config_ + ":2:12: process.enabled: expected true or false, got \"perhaps\"");
  const std::string text = exporter.Scrape();
  EXPECT_NE(text.find("\nedgewatch_config_last_reload_successful 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nedgewatch_config_last_reload_success_timestamp_seconds 1800000000\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nprocess_open_fds 3\n"), std::string::npos);  // old collectors run
  EXPECT_NE(log_.str().find("reload failed; keeping the running configuration"), std::string::npos);

  WriteConfig("process:\n  enabled: false\n" + kNoCapture);
  ASSERT_TRUE(exporter.Reload().ok());
  const std::string after = exporter.Scrape();
  EXPECT_NE(after.find("\nedgewatch_config_last_reload_successful 1\n"), std::string::npos);
  EXPECT_NE(after.find("\nedgewatch_config_last_reload_success_timestamp_seconds 1800000060\n"),
            std::string::npos);
  EXPECT_EQ(after.find("process_open_fds"), std::string::npos);
  EXPECT_TRUE(exporter.EnabledCollectors().empty());
}

TEST_F(ExporterTest, StartFailsOnBadConfig) {
  WriteConfig("bogus: 1\n");
  Exporter exporter = Make();
  Status s = exporter.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, config_ +
                                   ":1:1: bogus: unknown key; valid keys here: global, "
                                   "process, reflection, httpd, bgp, access_log, mail_log, flow");
  EXPECT_FALSE(exporter.Ready());
}

TEST_F(ExporterTest, ReloadKeepsCollectorsThatCarryOverAndReplacesTheRest) {
  lifecycle = {};
  WriteConfig("bgp:\n  interval: 1s\n");
  {
    Exporter exporter = Make(kTestRegistry);
    ASSERT_TRUE(exporter.Start().ok());
    EXPECT_NE(exporter.Scrape().find("\ntest_instance 1\n"), std::string::npos);

    ASSERT_TRUE(exporter.Reload().ok());  // same file: the running instance stays
    EXPECT_NE(exporter.Scrape().find("\ntest_instance 1\n"), std::string::npos);
    EXPECT_EQ(lifecycle.made, 1);
    EXPECT_EQ(lifecycle.started, 1);
    EXPECT_EQ(lifecycle.stopped, 0);
    EXPECT_NE(log_.str().find("kept_collectors=tracked"), std::string::npos) << log_.str();
    EXPECT_EQ(lifecycle.reconfigured_window, 3u);  // told about the new config once in service

    // A reload that fails to start another collector leaves the kept one running.
    WriteConfig("bgp:\n  interval: 1s\n  window: 7\n");
    Status failed = exporter.Reload();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message, "collector failing: cannot start");
    EXPECT_EQ(lifecycle.stopped, 0);
    EXPECT_EQ(lifecycle.reconfigured_window, 3u);  // not for a config that never served
    EXPECT_NE(exporter.Scrape().find("\ntest_instance 1\n"), std::string::npos);

    WriteConfig("bgp:\n  interval: 1s\n  window: 5\n");
    ASSERT_TRUE(exporter.Reload().ok());
    EXPECT_EQ(lifecycle.reconfigured_window, 5u);
    EXPECT_EQ(lifecycle.made, 1);

    WriteConfig("bgp:\n  interval: 2s\n");  // its section changed: a new instance
    ASSERT_TRUE(exporter.Reload().ok());
    EXPECT_NE(exporter.Scrape().find("\ntest_instance 2\n"), std::string::npos);
    EXPECT_EQ(lifecycle.started, 2);
    EXPECT_EQ(lifecycle.stopped, 1);
  }
  EXPECT_EQ(lifecycle.stopped, 2);  // the exporter stops what runs when it goes
}

// Which of the real collectors a reload keeps, and when.
TEST(TakeOverTest, StatefulCollectorsWithAnUnchangedSection) {
  const auto find = [](std::string_view name) {
    const CollectorRegistration* r = FindCollector(AllCollectors(), name);
    EXPECT_NE(r, nullptr) << name;
    return *r;
  };
  EXPECT_EQ(find("process").take_over, nullptr);
  EXPECT_EQ(find("httpd").take_over, nullptr);  // reads password and CA files at start

  Config running;
  running.Mutable<BgpConfig>().neighbors.emplace_back().name = "r1";
  running.Mutable<AccessLogConfig>().logs.emplace_back().path = "/var/log/apache2/access.log";
  running.Mutable<MailLogConfig>().logs.emplace_back().path = "/var/log/mail.log";
  running.Mutable<ReflectionConfig>().local_networks.push_back(*ParseCidr("192.0.2.0/24"));
  testing::FakeClock clock;
  std::ostringstream log;
  const CollectorContext context{running, clock,
                                 Logger(log, LogLevel::kDebug, LogFormat::kLogfmt, clock), "/proc"};
  std::map<std::string, std::unique_ptr<Collector>> built;  // never started
  for (std::string_view name : {"reflection", "bgp", "access_log", "mail_log"}) {
    built[std::string(name)] = find(name).make(context);
  }
  const auto take_over = [&](std::string_view name, const Config& was, const Config& next) {
    return find(name).take_over(*built[std::string(name)], was, next);
  };
  for (std::string_view name : {"reflection", "bgp", "access_log", "mail_log"}) {
    EXPECT_TRUE(take_over(name, running, running)) << name;
  }
  Config next = running;
  next.Mutable<BgpConfig>().neighbors[0].ttl = 5;
  next.Mutable<AccessLogConfig>().follow.rotate_wait = std::chrono::seconds(5);
  next.Mutable<MailLogConfig>().rbls.clear();
  next.Mutable<ReflectionConfig>().ntp.monlist_probe = true;
  for (std::string_view name : {"reflection", "bgp", "access_log", "mail_log"}) {
    EXPECT_FALSE(take_over(name, running, next)) << name;
  }
  // The log collectors keep running through a change to their list of logs, and apply it.
  next = running;
  next.Mutable<AccessLogConfig>().logs.emplace_back().path = "/var/log/apache2/other.log";
  next.Mutable<MailLogConfig>().logs.clear();
  for (std::string_view name : {"access_log", "mail_log"}) {
    const auto kept = take_over(name, running, next);
    ASSERT_TRUE(kept) << name;
    EXPECT_TRUE(*kept) << name;  // SetLogs, once the new config serves
  }
  EXPECT_FALSE(take_over("bgp", running, [&] {
    Config c = running;
    c.Mutable<BgpConfig>().neighbors.emplace_back().name = "r2";
    return c;
  }()));
  // With local_networks there is nothing to redo; without, the interface's addresses are read
  // again in place, the capture and counters kept.
  const auto with_networks = take_over("reflection", running, running);
  ASSERT_TRUE(with_networks);
  EXPECT_FALSE(*with_networks);
  running.Mutable<ReflectionConfig>().local_networks.clear();
  const auto from_interface = take_over("reflection", running, running);
  ASSERT_TRUE(from_interface);
  EXPECT_TRUE(*from_interface);
}

}  // namespace
}  // namespace edgewatch
