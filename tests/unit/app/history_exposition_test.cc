#include "app/history_exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/metric_sink.h"

namespace edgewatch {
namespace {

constexpr MetricDesc kRequests{"edgewatch_t_requests_total", prometheus::MetricType::Counter,
                               "Requests."};
constexpr MetricDesc kTop{"edgewatch_t_top", prometheus::MetricType::Gauge, "Top \"clients\"."};

std::vector<prometheus::MetricFamily> Step(double requests, const Labels& top, double top_value) {
  MetricSink sink;
  sink.Add(kRequests, {{"code", "200"}}, requests);
  if (!top.empty()) {
    sink.Add(kTop, top, top_value);
  }
  return std::move(sink).Take();
}

TEST(HistoryExpositionTest, EverySeriesTogetherInTimeOrderWithTimestamps) {
  HistoryExposition h;
  ASSERT_TRUE(h.Add(1'800'000'000'000, Step(1, {{"client", "a"}}, 5)).ok());
  ASSERT_TRUE(h.Add(1'800'000'015'000, Step(3, {{"client", "b"}}, 7)).ok());  // a left the top
  ASSERT_TRUE(h.Add(1'800'000'030'500, Step(4, {{"client", "a"}}, NAN)).ok());
  std::ostringstream out;
  ASSERT_TRUE(h.Write(out).ok());
  EXPECT_EQ(out.str(),
            "# TYPE edgewatch_t_requests counter\n"
            "# HELP edgewatch_t_requests Requests.\n"
            "edgewatch_t_requests_total{code=\"200\"} 1 1800000000.000\n"
            "edgewatch_t_requests_total{code=\"200\"} 3 1800000015.000\n"
            "edgewatch_t_requests_total{code=\"200\"} 4 1800000030.500\n"
            "# TYPE edgewatch_t_top gauge\n"
            "# HELP edgewatch_t_top Top \\\"clients\\\".\n"
            "edgewatch_t_top{client=\"a\"} 5 1800000000.000\n"
            "edgewatch_t_top{client=\"a\"} NaN 1800000030.500\n"
            "edgewatch_t_top{client=\"b\"} 7 1800000015.000\n"
            "# EOF\n");
}

TEST(HistoryExpositionTest, StepsMoveForwardAndHistogramsAreRefused) {
  HistoryExposition h;
  ASSERT_TRUE(h.Add(1000, Step(1, {}, 0)).ok());
  EXPECT_FALSE(h.Add(1000, Step(1, {}, 0)).ok());
  constexpr MetricDesc kRtt{"edgewatch_t_rtt_seconds", prometheus::MetricType::Histogram, "RTT."};
  MetricSink sink;
  const double bounds[] = {0.1};
  const std::uint64_t counts[] = {1};
  sink.Histogram(kRtt, {}, bounds, counts, 1, 0.05);
  const Status s = h.Add(2000, std::move(sink).Take());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("edgewatch_t_rtt_seconds"), std::string::npos);
  std::ostringstream out;
  ASSERT_TRUE(h.Write(out).ok());
  EXPECT_EQ(out.str().substr(out.str().size() - 6), "# EOF\n");
}

}  // namespace
}  // namespace edgewatch
