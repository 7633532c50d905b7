#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prometheus/metric_family.h"

namespace edgewatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Collects samples for one scrape into prometheus-cpp MetricFamily values, grouping samples of
// the same metric name into one family in first-seen order. Not thread-safe: one per collect.
class MetricSink {
 public:
  void Counter(std::string_view name, std::string_view help, const Labels& labels, double value);
  void Gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
  // `bucket_counts[i]` is the number of observations <= upper_bounds[i] (cumulative); the +Inf
  // bucket is `count`.
  void Histogram(std::string_view name, std::string_view help, const Labels& labels,
                 std::span<const double> upper_bounds, std::span<const std::uint64_t> bucket_counts,
                 std::uint64_t count, double sum);

  std::vector<prometheus::MetricFamily> Take() && { return std::move(families_); }

 private:
  prometheus::ClientMetric& Add(std::string_view name, std::string_view help,
                                prometheus::MetricType type, const Labels& labels);

  std::vector<prometheus::MetricFamily> families_;
};

// Appends `families` to `out`, merging each into a family of the same name already there: two
// collectors may export one metric (edgewatch_log_* from every log collector), and the text
// format allows one HELP/TYPE block per name.
void AppendFamilies(std::vector<prometheus::MetricFamily>& out,
                    std::vector<prometheus::MetricFamily>&& families);

}  // namespace edgewatch
