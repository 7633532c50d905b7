#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testutil/testdata.h"

namespace edgewatch {
namespace {

// The message of a failed decode: one "file:line:column: ..." line per problem.
std::string Problems(const std::string& path, std::initializer_list<std::string_view> lines) {
  std::string out;
  for (const auto line : lines) {
    out += (out.empty() ? "" : "\n") + path + std::string(line);
  }
  return out;
}

using testing::TestData;

struct Case {
  const char* file;
  const char* message;  // written by hand from the fixture: 1-based line and column
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class ConfigErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConfigErrorTest, ReportsExactMessage) {
  const std::string path = TestData(std::string("config/") + GetParam().file);
  auto config = LoadConfigFile(path);
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
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            path +
                ":2:22: global.collector_timeout: expected a duration such as 500ms, 10s, 1m or "
                "1h30m, got \"5x\"\n" +
                path + ":4:12: process.enabled: expected true or false, got \"maybe\"\n" + path +
                ":5:1: bogus: unknown key; valid keys here: global, process, reflection, httpd, "
                "bgp, access_log, mail_log");
}

TEST(ConfigTest, ReflectionRules) {
  const std::string path = TestData("config/reflection_errors.yml");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.error().message,
      Problems(path,
               {":2:20: reflection.local_networks[0]: CIDR \"192.0.2.1/24\" has host bits set; did "
                "you mean 192.0.2.0/24?",
                ":2:34: reflection.local_networks[1]: expected a CIDR such as 192.0.2.0/24 or "
                "2001:db8::/32, got \"lan\"",
                ":3:18: reflection.vectors[1]: expected one of ntp, dns, ssdp, memcached, cldap, "
                "chargen, snmp, got \"quic\"",
                ":4:10: reflection.top_k: expected a whole number from 1 to 100, got \"0\"",
                ":5:14: reflection.interface: must not be empty; use \"any\" for every interface",
                ":7:14: reflection.ntp.servers: expected a list, got a scalar"}));
}

TEST(ConfigTest, HttpdRules) {
  const std::string path = TestData("config/httpd_errors.yml");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.error().message,
      Problems(
          path,
          {":4:12: httpd.servers[0].url: expected an http:// or https:// URL, got \"ftp://x/\"",
           ":5:16: httpd.servers[0].flavour: expected one of auto, apache, nginx, got "
           "\"lighttpd\"",
           ":6:16: httpd.servers[0].timeout: must be below global.collector_timeout (8s)",
           ":7:13: httpd.servers[1].name: duplicate server name \"web\"",
           ":9:30: httpd.servers[1].basic_auth.username: basic_auth needs username and one of "
           "password or password_file",
           ":10:7: httpd.servers[2].name: every server needs a name (the server label)",
           ":11:28: httpd.servers[2].max_request_workers: expected a whole number from 1 to "
           "1048576, got \"0\"",
           ":12:24: httpd.processes[1]: expected a process name of 1 to 15 characters, got "
           "\"a-very-long-process-name\""}));
}

TEST(ConfigTest, BgpRules) {
  const std::string path = TestData("config/bgp_errors.yml");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.error().message,
      Problems(
          path,
          {":2:11: bgp.window: expected a whole number from 1 to 1000, got \"0\"",
           ":5:16: bgp.neighbors[0].address: expected an IP address or a DNS name, got \"bad "
           "host!\"",
           ":6:12: bgp.neighbors[0].ttl: expected a whole number from 1 to 255, got \"300\"",
           ":7:18: bgp.neighbors[0].tcp_probe: expected true or false, got \"yes\"",
           ":8:7: bgp.neighbors[1].name: every neighbor needs a name (the neighbor label)",
           ":9:15: bgp.neighbors[1].source: expected an IPv4 or IPv6 address, got \"upstream\""}));
}

TEST(ConfigTest, AccessLogRules) {
  const std::string path = TestData("config/access_log_errors.yml");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.error().message,
      Problems(
          path,
          {":5:15: access_log.logs[0].format: unclosed %{ in format (predefined: common, "
           "combined, vhost_combined, nginx_combined)",
           ":6:13: access_log.logs[1].name: duplicate log name \"web\"",
           ":8:7: access_log.logs[2].path: every log needs a path (a file or a glob)",
           ":9:18: access_log.xmlrpc_paths[0]: expected a request path starting with / (no "
           "query string), got \"xmlrpc.php\"",
           ":10:10: access_log.top_k: expected a whole number from 1 to 100, got \"0\"",
           ":11:20: access_log.max_line_length: expected a whole number from 256 to 16777216, "
           "got \"10\"",
           ":12:18: access_log.poll_interval: must be greater than 0s",
           ":13:14: access_log.max_files: expected a whole number from 1 to 10000, got \"0\""}));
}

TEST(ConfigTest, MailLogRules) {
  const std::string path = TestData("config/mail_log_errors.yml");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            path + ":7:13: mail_log.logs[0].name: duplicate log name \"web\"\n" + path +
                ":9:7: mail_log.logs[1].name: every log needs a name (the log label)\n" + path +
                ":10:28: mail_log.rbls[1]: expected a DNS list name such as zen.spamhaus.org, "
                "got \"bad list!\"\n" +
                path + ":11:20: mail_log.snowshoe_window: must be greater than 0s");
}

TEST(ConfigTest, SyntaxErrorNamesPosition) {
  const std::string path = TestData("config/syntax_error.yml");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  // yaml-cpp words the syntax error itself; the position and prefix are ours.
  EXPECT_EQ(config.error().message.rfind(path + ":3:1: invalid YAML: ", 0), 0u)
      << config.error().message;
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto config = LoadConfigFile("/nonexistent/edgewatch.yml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "/nonexistent/edgewatch.yml: cannot open config file: No such file or directory");
}

TEST(ConfigTest, EmptyFileGivesDefaults) {
  auto config = LoadConfigFile(TestData("config/empty.yml"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->global.collector_timeout, std::chrono::seconds(8));
  EXPECT_TRUE(config->process.enabled);
}

TEST(ConfigTest, EmbeddedDefaultIsValid) {
  auto config = ParseConfig(std::string(EmbeddedDefaultConfig()), "<embedded default>");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(DefaultConfig().source, "<embedded default>");
}

// The defaults have one source, the structs: the embedded default only adds Debian's logs.
TEST(ConfigTest, EmbeddedDefaultAddsOnlyLogsToTheStructDefaults) {
  Config defaults = DefaultConfig();
  EXPECT_EQ(defaults.access_log.logs.size(), 2u);
  EXPECT_EQ(defaults.mail_log.logs.size(), 1u);
  defaults.access_log.logs.clear();
  defaults.mail_log.logs.clear();
  const Config plain;
  EXPECT_EQ(defaults.global.collector_timeout, plain.global.collector_timeout);
  EXPECT_EQ(defaults.process.enabled, plain.process.enabled);
  EXPECT_TRUE(defaults.reflection == plain.reflection);
  EXPECT_TRUE(defaults.bgp == plain.bgp);
  EXPECT_TRUE(defaults.access_log == plain.access_log);
  EXPECT_TRUE(defaults.mail_log == plain.mail_log);
  EXPECT_EQ(defaults.httpd.enabled, plain.httpd.enabled);
  EXPECT_TRUE(defaults.httpd.servers.empty());
  EXPECT_EQ(defaults.httpd.processes, plain.httpd.processes);
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
  EXPECT_EQ(text.substr(start + 8, end - start - 8), EmbeddedDefaultConfig());
}

TEST(ConfigTest, ExampleConfigIsValidAndMatchesDefaults) {
  auto example = LoadConfigFile(std::string(EDGEWATCH_SOURCE_DIR) + "/examples/edgewatch.yml");
  ASSERT_TRUE(example.ok()) << example.error().message;
  const Config defaults = DefaultConfig();
  EXPECT_EQ(example->global.collector_timeout, defaults.global.collector_timeout);
  EXPECT_EQ(example->process.enabled, defaults.process.enabled);
  EXPECT_TRUE(example->reflection == defaults.reflection);
  EXPECT_EQ(example->httpd.enabled, defaults.httpd.enabled);
  EXPECT_TRUE(example->httpd.servers.empty());
  EXPECT_EQ(example->httpd.processes, defaults.httpd.processes);
  EXPECT_TRUE(example->bgp == defaults.bgp);
  EXPECT_TRUE(example->access_log == defaults.access_log);
  EXPECT_TRUE(example->mail_log == defaults.mail_log);
}

TEST(ConfigTest, ReadsReflectionSection) {
  auto config = ParseConfig(
      "reflection:\n  interface: eth1\n  local_networks: [192.0.2.0/24, 2001:db8::/32]\n"
      "  vectors: [ntp, memcached]\n  top_k: 20\n  window: 10m\n"
      "  ntp:\n    servers: [192.0.2.123]\n    monlist_probe: true\n",
      "inline");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& r = config->reflection;
  EXPECT_EQ(r.interface, "eth1");
  ASSERT_EQ(r.local_networks.size(), 2u);
  EXPECT_EQ(r.local_networks[1].length, 32);
  EXPECT_EQ(r.vectors, (std::vector<reflection::Vector>{reflection::Vector::kNtp,
                                                        reflection::Vector::kMemcached}));
  EXPECT_EQ(r.top_k, 20u);
  EXPECT_EQ(r.window, std::chrono::minutes(10));
  ASSERT_EQ(r.ntp.servers.size(), 1u);
  EXPECT_TRUE(r.ntp.monlist_probe);
}

TEST(ConfigTest, ReadsValues) {
  auto config =
      ParseConfig("global:\n  collector_timeout: 1m30s\nprocess:\n  enabled: false\n", "inline");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->global.collector_timeout, std::chrono::seconds(90));
  EXPECT_FALSE(config->process.enabled);
}

}  // namespace
}  // namespace edgewatch
