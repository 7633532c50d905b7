#include "core/metric_sink.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "parsers/text/utf8.h"

namespace edgewatch {

prometheus::ClientMetric& MetricSink::Sample(const MetricDesc& desc, const Labels& labels) {
  prometheus::MetricFamily* family = nullptr;
  for (auto& f : families_) {
    if (f.name == desc.name) {
      family = &f;
      break;
    }
  }
  if (family == nullptr) {
    family = &families_.emplace_back();
    family->name = desc.name;
    family->help = desc.help;
    family->type = desc.type;
  }
  auto& metric = family->metric.emplace_back();
  metric.label.reserve(labels.size());
  // Values such as a top-K's keys come from attackers: one byte that is not UTF-8 would make
  // Prometheus refuse the whole scrape.
  for (const auto& [key, value] : labels) {
    metric.label.push_back({key, text::ValidUtf8(value)});
  }
  return metric;
}

void MetricSink::Add(const MetricDesc& desc, const Labels& labels, double value) {
  auto& metric = Sample(desc, labels);
  if (desc.type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
}

void MetricSink::Histogram(const MetricDesc& desc, const Labels& labels,
                           std::span<const double> upper_bounds,
                           std::span<const std::uint64_t> bucket_counts, std::uint64_t count,
                           double sum) {
  auto& h = Sample(desc, labels).histogram;
  h.sample_count = count;
  h.sample_sum = sum;
  for (size_t i = 0; i < upper_bounds.size() && i < bucket_counts.size(); ++i) {
    h.bucket.push_back({bucket_counts[i], upper_bounds[i]});
  }
  h.bucket.push_back({count, std::numeric_limits<double>::infinity()});
}

void AppendFamilies(std::vector<prometheus::MetricFamily>& out,
                    std::vector<prometheus::MetricFamily>&& families) {
  for (auto& f : families) {
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const prometheus::MetricFamily& o) { return o.name == f.name; });
    if (same == out.end()) {
      out.push_back(std::move(f));
    } else {
      same->metric.insert(same->metric.end(), std::make_move_iterator(f.metric.begin()),
                          std::make_move_iterator(f.metric.end()));
    }
  }
}

}  // namespace edgewatch
