#include "app/exporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testutil/fake_clock.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

// Keeps these tests to the process collector: no capture, no status pages.
const std::string kNoCapture =
    "reflection:\n  enabled: false\nhttpd:\n  enabled: false\nbgp:\n  enabled: "
    "false\naccess_log:\n  enabled: false\nmail_log:\n  enabled: false\n";

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

  Exporter Make() {
    return Exporter({config_, {}, testing::TestData("procfs")}, AllCollectors(), clock_,
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
                                   "process, reflection, httpd, bgp, access_log, mail_log");
  EXPECT_FALSE(exporter.Ready());
}

}  // namespace
}  // namespace edgewatch
