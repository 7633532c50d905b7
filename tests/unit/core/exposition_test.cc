#include "core/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/metric_sink.h"

namespace edgewatch {
namespace {

constexpr MetricDesc kRequests{"test_requests_total", prometheus::MetricType::Counter,
                               "Requests \"served\"\\nor not."};
constexpr MetricDesc kUp{"test_up", prometheus::MetricType::Gauge, "Up."};
constexpr MetricDesc kRtt{"test_rtt_seconds", prometheus::MetricType::Histogram, "RTT."};

std::vector<prometheus::MetricFamily> Families() {
  MetricSink sink;
  sink.Add(kRequests, {{"path", "/a\"b\\c\nd"}}, 5);
  sink.Add(kUp, {}, 1);
  sink.Add(kUp, {{"x", "nan"}}, std::nan(""));
  const std::vector<double> bounds = {0.0008, 0.5};
  const std::vector<std::uint64_t> counts = {1, 3};
  sink.Histogram(kRtt, {{"n", "a"}}, bounds, counts, 4, 1.25);
  return std::move(sink).Take();
}

TEST(ExpositionTest, OpenMetricsText) {
  EXPECT_EQ(Serialize(Families(), ExpositionFormat::kOpenMetrics),
            "# TYPE test_requests counter\n"
            "# HELP test_requests Requests \\\"served\\\"\\\\nor not.\n"
            "test_requests_total{path=\"/a\\\"b\\\\c\\nd\"} 5\n"
            "# TYPE test_up gauge\n"
            "# HELP test_up Up.\n"
            "test_up 1\n"
            "test_up{x=\"nan\"} NaN\n"
            "# TYPE test_rtt_seconds histogram\n"
            "# HELP test_rtt_seconds RTT.\n"
            "test_rtt_seconds_bucket{n=\"a\",le=\"0.0008\"} 1\n"
            "test_rtt_seconds_bucket{n=\"a\",le=\"0.5\"} 3\n"
            "test_rtt_seconds_bucket{n=\"a\",le=\"+Inf\"} 4\n"
            "test_rtt_seconds_count{n=\"a\"} 4\n"
            "test_rtt_seconds_sum{n=\"a\"} 1.25\n"
            "# EOF\n");
}

// Bucket bounds are labels: the same text in both formats, or they would be different series.
TEST(ExpositionTest, TextIsPrometheusCpps) {
  const std::string text = Serialize(Families(), ExpositionFormat::kText);
  EXPECT_NE(text.find("# TYPE test_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("test_rtt_seconds_bucket{n=\"a\",le=\"0.0008\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("# EOF"), std::string::npos);
}

// A counter whose name lacks _total keeps its sample name, typed unknown.
TEST(ExpositionTest, CounterWithoutTotalIsUnknown) {
  MetricSink sink;
  sink.Add({"test_odd", prometheus::MetricType::Counter, "Odd."}, {}, 2);
  EXPECT_EQ(Serialize(std::move(sink).Take(), ExpositionFormat::kOpenMetrics),
            "# TYPE test_odd unknown\n# HELP test_odd Odd.\ntest_odd 2\n# EOF\n");
}

TEST(ExpositionTest, Negotiation) {
  using F = ExpositionFormat;
  // Prometheus 2.42's default Accept header.
  EXPECT_EQ(NegotiateExposition("application/openmetrics-text;version=1.0.0,application/"
                                "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                                "q=0.5,*/*;q=0.1"),
            F::kOpenMetrics);
  EXPECT_EQ(NegotiateExposition("application/openmetrics-text"), F::kOpenMetrics);
  EXPECT_EQ(NegotiateExposition("text/plain;version=0.0.4;q=1, application/openmetrics-text;q=0.5"),
            F::kText);
  EXPECT_EQ(NegotiateExposition("application/openmetrics-text;q=0, text/plain"), F::kText);
  EXPECT_EQ(NegotiateExposition("application/openmetrics-text; q=junk"), F::kText);
  EXPECT_EQ(NegotiateExposition(""), F::kText);
  EXPECT_EQ(NegotiateExposition("*/*"), F::kText);
}

}  // namespace
}  // namespace edgewatch
