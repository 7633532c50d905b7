#include "config/reflection_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::LoadErrors;
using testing::Problems;
using testing::Sections;
using testing::TestData;

TEST(ReflectionConfigTest, ReflectionRules) {
  const std::string path = TestData("config/reflection_errors.yml");
  EXPECT_EQ(
      LoadErrors("config/reflection_errors.yml"),
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

TEST(ReflectionConfigTest, ReadsReflectionSection) {
  auto config = ParseConfig(
      "reflection:\n  interface: eth1\n  local_networks: [192.0.2.0/24, 2001:db8::/32]\n"
      "  vectors: [ntp, memcached]\n  top_k: 20\n  window: 10m\n"
      "  ntp:\n    servers: [192.0.2.123]\n    monlist_probe: true\n",
      "inline", Sections());
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& r = config->Section<ReflectionConfig>();
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

TEST(ReflectionConfigTest, ReadsSpoofedEgress) {
  const auto c =
      ParseConfig("reflection:\n  interface: eth1\n  spoofed_egress: true\n", "inline", Sections());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->Section<ReflectionConfig>().spoofed_egress);
  EXPECT_FALSE(ReflectionConfig{}.spoofed_egress);
}

}  // namespace
}  // namespace edgewatch
