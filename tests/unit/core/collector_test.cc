#include "core/collector.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

class Quiet final : public Collector {
 public:
  Status Collect(MetricSink&) const override { return {}; }
};

// The defaults a collector without background sources or recorded input gets.
TEST(CollectorTest, StartsStopsAndReplaysNothingByDefault) {
  Quiet c;
  EXPECT_TRUE(c.Start().ok());
  c.Stop();
  const Status s = c.Replay("x.pcap");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "this collector replays no files");
}

}  // namespace
}  // namespace edgewatch
