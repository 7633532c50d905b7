#include "core/exposition.h"

#include <sys/mman.h>

#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "prometheus/text_serializer.h"

namespace edgewatch {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The quality of the media range `type` in an Accept header: 0 when absent (or q=0).
double Quality(std::string_view accept, std::string_view type) {
  double best = 0;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const auto semicolon = range.find(';');
    if (Trim(range.substr(0, semicolon)) != type) {
      continue;
    }
    double q = 1;
    for (auto params = semicolon == std::string_view::npos ? std::string_view()
                                                           : range.substr(semicolon + 1);
         !params.empty();) {
      const auto next = params.find(';');
      const std::string_view param = Trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      if (param.starts_with("q=")) {
        const auto value = param.substr(2);
        double parsed = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
        q = ec == std::errc() && end == value.data() + value.size() ? parsed : 0;
      }
    }
    best = std::max(best, q);
  }
  return best;
}

// Escapes \, " and newline, as OpenMetrics wants in label values and help.
void Escaped(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace

namespace openmetrics {

// As prometheus-cpp's text serializer writes numbers (%g, 16 significant digits): a bucket's le
// is a label, so "0.0008" in one format and "8e-04" in the other would be two series.
void Value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const int n = std::snprintf(buffer, sizeof buffer, "%.*g",
                                std::numeric_limits<double>::max_digits10 - 1, v);
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

// name{labels} and the space before the value.
void SeriesOf(std::string& out, std::string_view name, const prometheus::ClientMetric& m,
              std::string_view extra_label, double extra_value) {
  out += name;
  if (!m.label.empty() || !extra_label.empty()) {
    out += '{';
    bool first = true;
    for (const auto& l : m.label) {
      out += first ? "" : ",";
      first = false;
      out += l.name;
      out += "=\"";
      Escaped(out, l.value);
      out += '"';
    }
    if (!extra_label.empty()) {
      out += first ? "" : ",";
      out += extra_label;
      out += "=\"";
      Value(out, extra_value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

// The family's name in OpenMetrics (a counter's without "_total") and its TYPE and HELP lines.
std::string_view Header(std::string& out, const prometheus::MetricFamily& f) {
  std::string_view name = f.name;
  std::string_view type;
  switch (f.type) {
    case prometheus::MetricType::Counter:
      // A counter family is named without "_total"; one that lacks it stays as it is, typed
      // unknown, so that its samples keep their names in both formats.
      if (name.ends_with("_total")) {
        name.remove_suffix(6);
        type = "counter";
      } else {
        type = "unknown";
      }
      break;
    case prometheus::MetricType::Gauge:
      type = "gauge";
      break;
    case prometheus::MetricType::Histogram:
      type = "histogram";
      break;
    case prometheus::MetricType::Summary:
      type = "summary";
      break;
    default:
      type = "unknown";
  }
  out += "# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += "\n# HELP ";
  out += name;
  out += ' ';
  Escaped(out, f.help);
  out += '\n';
  return name;
}

}  // namespace openmetrics

namespace {

using openmetrics::Header;
using openmetrics::SeriesOf;
using openmetrics::Value;

void Sample(std::string& out, std::string_view name, const prometheus::ClientMetric& m,
            double value, std::string_view extra_label = {}, double extra_value = 0) {
  SeriesOf(out, name, m, extra_label, extra_value);
  Value(out, value);
  out += '\n';
}

std::string OpenMetrics(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) {
    const std::string_view name = Header(out, f);
    for (const auto& m : f.metric) {
      switch (f.type) {
        case prometheus::MetricType::Counter:
          Sample(out, f.name, m, m.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          Sample(out, f.name, m, m.gauge.value);
          break;
        case prometheus::MetricType::Histogram: {
          const std::string bucket = std::string(name) + "_bucket";
          bool inf = false;
          for (const auto& b : m.histogram.bucket) {
            inf = inf || std::isinf(b.upper_bound);
            Sample(out, bucket, m, static_cast<double>(b.cumulative_count), "le", b.upper_bound);
          }
          if (!inf) {
            Sample(out, bucket, m, static_cast<double>(m.histogram.sample_count), "le",
                   std::numeric_limits<double>::infinity());
          }
          Sample(out, std::string(name) + "_count", m,
                 static_cast<double>(m.histogram.sample_count));
          Sample(out, std::string(name) + "_sum", m, m.histogram.sample_sum);
          break;
        }
        case prometheus::MetricType::Summary:
          Sample(out, std::string(name) + "_count", m, static_cast<double>(m.summary.sample_count));
          Sample(out, std::string(name) + "_sum", m, m.summary.sample_sum);
          break;
        default:
          Sample(out, f.name, m, m.untyped.value);
      }
    }
  }
  out += "# EOF\n";
  return out;
}

}  // namespace

ExpositionFormat NegotiateExposition(std::string_view accept) {
  const double open_metrics = Quality(accept, "application/openmetrics-text");
  return open_metrics > 0 && open_metrics >= Quality(accept, "text/plain")
             ? ExpositionFormat::kOpenMetrics
             : ExpositionFormat::kText;
}

std::string_view ContentTypeOf(ExpositionFormat format) {
  return format == ExpositionFormat::kOpenMetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

std::string Serialize(const std::vector<prometheus::MetricFamily>& families,
                      ExpositionFormat format) {
  if (format == ExpositionFormat::kOpenMetrics) {
    return OpenMetrics(families);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace edgewatch
