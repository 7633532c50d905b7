#include "collectors/process_collector.h"

#include <gtest/gtest.h>

#include "testutil/testdata.h"

namespace edgewatch {
namespace {

double Value(const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) {
      return f.type == prometheus::MetricType::Counter ? f.metric.at(0).counter.value
                                                       : f.metric.at(0).gauge.value;
    }
  }
  ADD_FAILURE() << "no " << name;
  return -1;
}

// Expected values are worked out by hand from tests/testdata/procfs with Linux's USER_HZ of 100
// and x86-64's 4 KiB pages.
TEST(ProcessCollectorTest, ReadsFixtureProcfs) {
  ProcessCollector collector(testing::TestData("procfs"));
  MetricSink sink;
  ASSERT_TRUE(collector.Collect(sink).ok());
  const auto families = std::move(sink).Take();
  EXPECT_DOUBLE_EQ(Value(families, "process_cpu_seconds_total"), 4.0);          // (250+150)/100
  EXPECT_DOUBLE_EQ(Value(families, "process_resident_memory_bytes"), 8388608);  // 2048*4096
  EXPECT_DOUBLE_EQ(Value(families, "process_virtual_memory_bytes"), 183500800);
  EXPECT_DOUBLE_EQ(Value(families, "process_start_time_seconds"), 1795651234.56);
  EXPECT_DOUBLE_EQ(Value(families, "process_open_fds"), 3);
  EXPECT_DOUBLE_EQ(Value(families, "process_max_fds"), 1024);
}

TEST(ProcessCollectorTest, MissingProcfsIsACollectError) {
  ProcessCollector collector("/nonexistent-procfs");
  MetricSink sink;
  Status s = collector.Collect(sink);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "/nonexistent-procfs/self/stat: No such file or directory");
}

TEST(ProcessCollectorTest, ReadsTheRealProcSelf) {
  ProcessCollector collector("/proc");
  MetricSink sink;
  ASSERT_TRUE(collector.Collect(sink).ok());
  const auto families = std::move(sink).Take();
  EXPECT_GT(Value(families, "process_resident_memory_bytes"), 0);
  EXPECT_GE(Value(families, "process_open_fds"), 3);  // stdin, stdout, stderr at least
}

}  // namespace
}  // namespace edgewatch
