#include "config/bgp_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::LoadErrors;
using testing::Problems;
using testing::Sections;
using testing::TestData;

TEST(BgpConfigTest, BgpRules) {
  const std::string path = TestData("config/bgp_errors.yml");
  EXPECT_EQ(
      LoadErrors("config/bgp_errors.yml"),
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

}  // namespace
}  // namespace edgewatch
