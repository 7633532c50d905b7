#include "collectors/bgp_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "testutil/exposition.h"
#include "testutil/fake_clock.h"

namespace edgewatch {
namespace {

using testing::Exposition;
using ::testing::HasSubstr;
using ::testing::Not;

// The exposition of neighbours that were never probed (not started): every series there from
// the start, at 0, so rate() and absent() work from the first scrape.
TEST(BgpCollectorTest, ExportsEveryNeighbourFromTheStart) {
  BgpConfig config;
  BgpNeighborConfig r1;
  r1.name = "r1";
  r1.host = "192.0.2.1";
  r1.address = *net::ParseAddress("192.0.2.1");
  r1.asn = 64500;
  r1.description = "upstream A";
  BgpNeighborConfig r2;
  r2.name = "r2";
  r2.host = "router.example";
  config.neighbors = {r1, r2};
  testing::FakeClock clock;
  std::ostringstream log;
  BgpCollector c(config, clock, Logger(log, LogLevel::kDebug, LogFormat::kLogfmt, clock));
  const std::string t = Exposition(c);
  EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_info{neighbor=\"r1\",address=\"192.0.2.1\","
                           "asn=\"64500\",description=\"upstream A\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_info{neighbor=\"r2\",address=\""
                           "router.example\",asn=\"\",description=\"\"} 1\n"));
  for (const char* n : {"r1", "r2"}) {
    const std::string id = "{neighbor=\"" + std::string(n) + "\"}";
    EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_up" + id + " 0\n"));
    EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_ping_sent_total" + id + " 0\n"));
    EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_ping_received_total" + id + " 0\n"));
    EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_ping_rtt_seconds_count" + id + " 0\n"));
  }
  // 20 buckets from 50 us doubling, then +Inf.
  EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_ping_rtt_seconds_bucket{neighbor=\"r1\","
                           "le=\"5e-05\"} 0\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_bgp_neighbor_ping_rtt_seconds_bucket{neighbor=\"r1\","
                           "le=\"+Inf\"} 0\n"));
  // No reply yet, no TCP check yet: those series appear with their first value.
  EXPECT_THAT(t, Not(HasSubstr("edgewatch_bgp_neighbor_last_reply_timestamp_seconds")));
  EXPECT_THAT(t, Not(HasSubstr("edgewatch_bgp_neighbor_tcp_connect_up")));
}

}  // namespace
}  // namespace edgewatch
