#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "prometheus/metric_family.h"

namespace edgewatch {

// The formats /metrics speaks: Prometheus text 0.0.4, and OpenMetrics 1.0.0 for a scraper that
// asks for it (Prometheus 2.42 does by default).
enum class ExpositionFormat { kText, kOpenMetrics };

// The format an Accept header prefers: OpenMetrics when it lists application/openmetrics-text
// with a quality at least that of text/plain (or text/plain is absent), else text 0.0.4.
ExpositionFormat NegotiateExposition(std::string_view accept);

std::string_view ContentTypeOf(ExpositionFormat format);

// `families` in `format`. OpenMetrics: a counter's family is named without "_total", its samples
// with it; an untyped family is "unknown"; label values and help are escaped as the format says;
// "# EOF" ends it. No "_created" samples: edgewatch does not keep the creation time of every
// series, and a wrong one would make rate() wrong, where none leaves it as Prometheus computes it.
std::string Serialize(const std::vector<prometheus::MetricFamily>& families,
                      ExpositionFormat format);

// The pieces of OpenMetrics text, for writers of their own (the replay history).
namespace openmetrics {
// A number as both formats write it.
void Value(std::string& out, double v);
// A sample's name{labels} and the space before its value.
void SeriesOf(std::string& out, std::string_view name, const prometheus::ClientMetric& m,
              std::string_view extra_label = {}, double extra_value = 0);
// A family's TYPE and HELP lines; returns its OpenMetrics name (a counter's without "_total").
std::string_view Header(std::string& out, const prometheus::MetricFamily& f);
}  // namespace openmetrics

}  // namespace edgewatch
