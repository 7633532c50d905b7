#include "config/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "collectors/registry.h"
#include "config/access_log_config.h"
#include "config/bgp_config.h"
#include "config/httpd_config.h"
#include "config/mail_log_config.h"
#include "config/process_config.h"
#include "config/reflection_config.h"
#include "testutil/config.h"
#include "testutil/temp_dir.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::Sections;
using testing::TestData;

struct Case {
  const char* file;
  const char* message;  // written by hand from the fixture: 1-based line and column
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class ConfigErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConfigErrorTest, ReportsExactMessage) {
  const std::string path = TestData(std::string("config/") + GetParam().file);
  auto config = LoadConfigFile(path, Sections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, path + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ConfigErrorTest,
    ::testing::Values(
        Case{"unknown_key.yml",
             ":2:3: global.colector_timeout: unknown key; valid keys here: collector_timeout"},
        Case{"bad_bool.yml", ":2:12: process.enabled: expected true or false, got \"yes\""},
        Case{"bad_duration.yml",
             ":2:22: global.collector_timeout: expected a duration such as 500ms, 10s, 1m or "
             "1h30m, got \"10 seconds\""},
        Case{"zero_duration.yml", ":2:22: global.collector_timeout: must be greater than 0s"},
        Case{"section_not_map.yml", ":1:10: process: expected a mapping of keys, got a list"},
        Case{"duplicate_key.yml", ":3:3: process.enabled: duplicate key"},
        Case{"duration_not_scalar.yml",
             ":2:22: global.collector_timeout: expected a string, got a mapping"},
        Case{"top_not_map.yml", ":1:1: (top level): expected a mapping of keys, got a list"}),
    [](const auto& param_info) {
      std::string name = param_info.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(ConfigTest, ReportsEveryErrorInOnePass) {
  const std::string path = TestData("config/several_errors.yml");
  auto config = LoadConfigFile(path, Sections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            path +
                ":2:22: global.collector_timeout: expected a duration such as 500ms, 10s, 1m or "
                "1h30m, got \"5x\"\n" +
                path + ":4:12: process.enabled: expected true or false, got \"maybe\"\n" + path +
                ":5:1: bogus: unknown key; valid keys here: global, process, reflection, httpd, "
                "bgp, access_log, mail_log, flow");
}

TEST(ConfigTest, SyntaxErrorNamesPosition) {
  const std::string path = TestData("config/syntax_error.yml");
  auto config = LoadConfigFile(path, Sections());
  ASSERT_FALSE(config.ok());
  // yaml-cpp words the syntax error itself; the position and prefix are ours.
  EXPECT_EQ(config.error().message.rfind(path + ":3:1: invalid YAML: ", 0), 0u)
      << config.error().message;
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto config = LoadConfigFile("/nonexistent/edgewatch.yml", Sections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "/nonexistent/edgewatch.yml: cannot open config file: No such file or directory");
}

// Fail closed: only a regular file with something in it is a config (issue: a directory or an
// empty file loaded as "all defaults", a FIFO could hang the start).
TEST(ConfigTest, EmptyFilesDirectoriesDevicesAndFifosAreRefused) {
  const testing::TempDir dir("config-closed");
  const std::string comments = dir.File("comments.yml");
  std::ofstream(comments) << "# nothing here yet\n\n---\n";
  const std::string fifo = dir.File("fifo.yml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string big = dir.File("big.yml");
  std::ofstream(big) << "# " << std::string(2 << 20, 'x') << "\n";
  const std::string empty = TestData("config/empty.yml");
  for (const auto& path : {empty, comments}) {
    const auto c = LoadConfigFile(path, Sections());
    ASSERT_FALSE(c.ok()) << path;
    EXPECT_EQ(c.error().message, path +
                                     ": the config file is empty; an empty file is not taken for "
                                     "the defaults (run without --config.file for the embedded "
                                     "default)");
  }
  for (const std::string& path :
       {dir.File(""), fifo, std::string("/dev/null"), std::string("/dev/zero")}) {
    const auto c = LoadConfigFile(path, Sections());
    ASSERT_FALSE(c.ok()) << path;
    EXPECT_EQ(c.error().message,
              path + ": cannot read config file: not a regular file (a directory, device or FIFO)");
  }
  const auto too_big = LoadConfigFile(big, Sections());
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().message, big + ": config file is larger than 1 MiB");
  // Without --config.file the embedded default runs.
  const auto fallback = LoadConfig(std::nullopt, Sections());
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->source, "<embedded default>");
}

TEST(ConfigTest, EmbeddedDefaultIsValid) {
  auto config =
      ParseConfig(std::string(EmbeddedDefaultConfig(Sections())), "<embedded default>", Sections());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(DefaultConfig(Sections()).source, "<embedded default>");
}

// The defaults have one source, the structs: the embedded default only adds Debian's logs.
TEST(ConfigTest, EmbeddedDefaultAddsOnlyLogsToTheStructDefaults) {
  Config defaults = DefaultConfig(Sections());
  EXPECT_EQ(defaults.Section<AccessLogConfig>().logs.size(), 2u);
  EXPECT_EQ(defaults.Section<MailLogConfig>().logs.size(), 1u);
  defaults.Mutable<AccessLogConfig>().logs.clear();
  defaults.Mutable<MailLogConfig>().logs.clear();
  const Config plain;
  EXPECT_EQ(defaults.global.collector_timeout, plain.global.collector_timeout);
  EXPECT_EQ(defaults.Section<ProcessConfig>().enabled, plain.Section<ProcessConfig>().enabled);
  EXPECT_TRUE(defaults.Section<ReflectionConfig>() == plain.Section<ReflectionConfig>());
  EXPECT_TRUE(defaults.Section<BgpConfig>() == plain.Section<BgpConfig>());
  EXPECT_TRUE(defaults.Section<AccessLogConfig>() == plain.Section<AccessLogConfig>());
  EXPECT_TRUE(defaults.Section<MailLogConfig>() == plain.Section<MailLogConfig>());
  EXPECT_EQ(defaults.Section<HttpdConfig>().enabled, plain.Section<HttpdConfig>().enabled);
  EXPECT_TRUE(defaults.Section<HttpdConfig>().servers.empty());
  EXPECT_EQ(defaults.Section<HttpdConfig>().processes, plain.Section<HttpdConfig>().processes);
}

// docs/configuration.md shows the embedded default as it is.
TEST(ConfigTest, EmbeddedDefaultIsDocumented) {
  std::ifstream in(std::string(EDGEWATCH_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const std::string heading = "## The embedded default";
  const auto at = text.find(heading);
  ASSERT_NE(at, std::string::npos);
  const auto start = text.find("```yaml\n", at);
  ASSERT_NE(start, std::string::npos);
  const auto end = text.find("```\n", start + 8);
  EXPECT_EQ(text.substr(start + 8, end - start - 8), EmbeddedDefaultConfig(Sections()));
}

TEST(ConfigTest, ExampleConfigIsValidAndMatchesDefaults) {
  auto example =
      LoadConfigFile(std::string(EDGEWATCH_SOURCE_DIR) + "/examples/edgewatch.yml", Sections());
  ASSERT_TRUE(example.ok()) << example.error().message;
  const Config defaults = DefaultConfig(Sections());
  EXPECT_EQ(example->global.collector_timeout, defaults.global.collector_timeout);
  EXPECT_EQ(example->Section<ProcessConfig>().enabled, defaults.Section<ProcessConfig>().enabled);
  EXPECT_TRUE(example->Section<ReflectionConfig>() == defaults.Section<ReflectionConfig>());
  EXPECT_EQ(example->Section<HttpdConfig>().enabled, defaults.Section<HttpdConfig>().enabled);
  EXPECT_TRUE(example->Section<HttpdConfig>().servers.empty());
  EXPECT_EQ(example->Section<HttpdConfig>().processes, defaults.Section<HttpdConfig>().processes);
  EXPECT_TRUE(example->Section<BgpConfig>() == defaults.Section<BgpConfig>());
  EXPECT_TRUE(example->Section<AccessLogConfig>() == defaults.Section<AccessLogConfig>());
  EXPECT_TRUE(example->Section<MailLogConfig>() == defaults.Section<MailLogConfig>());
}

TEST(ConfigTest, ReadsValues) {
  auto config = ParseConfig("global:\n  collector_timeout: 1m30s\nprocess:\n  enabled: false\n",
                            "inline", Sections());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->global.collector_timeout, std::chrono::seconds(90));
  EXPECT_FALSE(config->Section<ProcessConfig>().enabled);
}

}  // namespace
}  // namespace edgewatch
