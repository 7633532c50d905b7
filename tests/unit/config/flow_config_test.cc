#include "config/flow_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::LoadErrors;
using testing::Problems;
using testing::Sections;
using testing::TestData;

TEST(FlowConfigTest, OffByDefaultOnTheSflowNetflowAndIpfixPorts) {
  const FlowConfig c;
  EXPECT_FALSE(c.enabled);
  ASSERT_EQ(c.listen.size(), 3u);
  EXPECT_EQ(c.listen[0].host, "");
  EXPECT_EQ(c.listen[0].port, 6343);
  EXPECT_EQ(c.listen[1].port, 2055);
  EXPECT_EQ(c.listen[2].port, 4739);
  EXPECT_EQ(c.max_templates, 1024u);
  EXPECT_EQ(c.template_timeout, std::chrono::hours(1));
  EXPECT_EQ(c.default_sampling_rate, 1u);
  EXPECT_TRUE(c.agents.empty());
  EXPECT_EQ(c.max_agents, 256u);
  EXPECT_EQ(c.vectors, ReflectionTrafficConfig::AllVectors());
}

TEST(FlowConfigTest, ErrorsNameFileLineColumnAndKey) {
  const std::string path = TestData("config/flow_errors.yml");
  EXPECT_EQ(
      LoadErrors("config/flow_errors.yml"),
      Problems(path, {":2:3: flow.local_networks: required when flow is enabled: the "
                      "networks flows are judged by",
                      ":3:21: flow.listen[1]: expected a listen address such as :10123, "
                      "127.0.0.1:10123 or [::1]:10123, got \"eth0:6343\"",
                      ":3:34: flow.listen[2]: expected a port number 0-65535 in "
                      "\"[::1]:70000\"",
                      ":4:12: flow.agents[0]: CIDR \"192.0.2.1/24\" has host bits set; did "
                      "you mean 192.0.2.0/24?",
                      ":5:15: flow.max_agents: expected a whole number from 1 to 65536, "
                      "got \"0\"",
                      ":6:18: flow.max_templates: expected a whole number from 16 to 1048576, "
                      "got \"8\"",
                      ":7:21: flow.template_timeout: must be greater than 0s",
                      ":8:26: flow.default_sampling_rate: expected a whole number from 1 to "
                      "16777216, got \"0\"",
                      // a flow has no monlist self-check: that is the capture's section
                      ":10:5: flow.ntp.monlist_probe: unknown key; valid keys here: servers"}));
}

TEST(FlowConfigTest, ReadsTheSectionWithTheSharedReflectionKeys) {
  auto config = ParseConfig(
      "flow:\n  enabled: true\n  listen: [\"127.0.0.1:16343\", \"[::]:6343\"]\n"
      "  agents: [192.0.2.0/24]\n  local_networks: [198.51.100.0/24]\n  vectors: [ntp]\n"
      "  top_k: 5\n  ntp:\n    servers: [198.51.100.123]\n",
      "inline", Sections());
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& f = config->Section<FlowConfig>();
  EXPECT_TRUE(f.enabled);
  ASSERT_EQ(f.listen.size(), 2u);
  EXPECT_EQ(f.listen[0].host, "127.0.0.1");
  EXPECT_EQ(f.listen[1].host, "::");
  EXPECT_EQ(f.agents.size(), 1u);
  EXPECT_EQ(f.vectors, std::vector<reflection::Vector>{reflection::Vector::kNtp});
  EXPECT_EQ(f.top_k, 5u);
  ASSERT_EQ(f.ntp.servers.size(), 1u);
}

}  // namespace
}  // namespace edgewatch
