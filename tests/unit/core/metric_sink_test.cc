#include "core/metric_sink.h"

#include <gtest/gtest.h>

#include <cmath>

namespace edgewatch {
namespace {

constexpr MetricDesc kRequests{"test_requests_total", prometheus::MetricType::Counter, "Requests."};
constexpr MetricDesc kUp{"test_up", prometheus::MetricType::Gauge, "Up."};
constexpr MetricDesc kRtt{"test_rtt_seconds", prometheus::MetricType::Histogram, "RTT."};

TEST(MetricSinkTest, GroupsSamplesByFamilyInFirstSeenOrder) {
  MetricSink sink;
  sink.Add(kRequests, {{"code", "200"}}, 5);
  sink.Add(kUp, {}, 1);
  sink.Add(kRequests, {{"code", "404"}}, 2);
  const auto families = std::move(sink).Take();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "test_requests_total");
  EXPECT_EQ(families[0].help, "Requests.");
  EXPECT_EQ(families[0].type, prometheus::MetricType::Counter);
  ASSERT_EQ(families[0].metric.size(), 2u);
  EXPECT_EQ(families[0].metric[1].label[0].value, "404");
  EXPECT_EQ(families[0].metric[1].counter.value, 2);
  EXPECT_EQ(families[1].type, prometheus::MetricType::Gauge);
  EXPECT_EQ(families[1].metric[0].gauge.value, 1);
}

// A Host header of "\xff\xfe.example" once made the text exposition unparsable: Prometheus
// refused every sample of the scrape (promtool: "invalid label value").
TEST(MetricSinkTest, LabelValuesAreValidUtf8) {
  MetricSink sink;
  sink.Add(kUp, {{"vhost", "\xff\xfe.example"}}, 1);
  const auto families = std::move(sink).Take();
  EXPECT_EQ(families[0].metric[0].label[0].value, "\xEF\xBF\xBD\xEF\xBF\xBD.example");
}

TEST(MetricSinkTest, HistogramsEndInInf) {
  MetricSink sink;
  const double bounds[] = {0.1, 1};
  const std::uint64_t buckets[] = {3, 7};
  sink.Histogram(kRtt, {}, bounds, buckets, 9, 4.5);
  const auto families = std::move(sink).Take();
  const auto& h = families.at(0).metric.at(0).histogram;
  EXPECT_EQ(h.sample_count, 9u);
  EXPECT_EQ(h.sample_sum, 4.5);
  ASSERT_EQ(h.bucket.size(), 3u);
  EXPECT_EQ(h.bucket[1].cumulative_count, 7u);
  EXPECT_TRUE(std::isinf(h.bucket[2].upper_bound));
  EXPECT_EQ(h.bucket[2].cumulative_count, 9u);
}

TEST(MetricSinkTest, AppendFamiliesMergesOneNameFromTwoCollectors) {
  MetricSink a, b;
  a.Add(kUp, {{"log", "a"}}, 1);
  b.Add(kUp, {{"log", "b"}}, 0);
  b.Add(kRequests, {}, 3);
  std::vector<prometheus::MetricFamily> out;
  AppendFamilies(out, std::move(a).Take());
  AppendFamilies(out, std::move(b).Take());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].metric.size(), 2u);  // one HELP/TYPE block for both logs
  EXPECT_EQ(out[1].name, "test_requests_total");
}

}  // namespace
}  // namespace edgewatch
