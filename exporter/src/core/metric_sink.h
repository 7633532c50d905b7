#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"

namespace edgewatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One metric family, declared once in its collector's catalogue: the only place its name and
// help are written.
struct MetricDesc {
  std::string_view name;
  prometheus::MetricType type;
  std::string_view help;
};

// Every family a collector (or the framework) may export.
using MetricCatalogue = std::span<const MetricDesc* const>;

// Collects samples for one scrape into prometheus-cpp MetricFamily values, grouping samples of
// the same metric name into one family in first-seen order. Not thread-safe: one per collect.
class MetricSink {
 public:
  // A counter or gauge sample, as `desc` says.
  void Add(const MetricDesc& desc, const Labels& labels, double value);
  // `bucket_counts[i]` is the number of observations <= upper_bounds[i] (cumulative); the +Inf
  // bucket is `count`.
  void Histogram(const MetricDesc& desc, const Labels& labels, std::span<const double> upper_bounds,
                 std::span<const std::uint64_t> bucket_counts, std::uint64_t count, double sum);

  std::vector<prometheus::MetricFamily> Take() && { return std::move(families_); }

 private:
  prometheus::ClientMetric& Sample(const MetricDesc& desc, const Labels& labels);

  std::vector<prometheus::MetricFamily> families_;
};

// Appends `families` to `out`, merging each into a family of the same name already there: two
// collectors may export one metric (edgewatch_log_* from every log collector), and the text
// format allows one HELP/TYPE block per name.
void AppendFamilies(std::vector<prometheus::MetricFamily>& out,
                    std::vector<prometheus::MetricFamily>&& families);

}  // namespace edgewatch
