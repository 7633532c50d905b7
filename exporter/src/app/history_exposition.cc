#include "app/history_exposition.h"

#include <bit>
#include <cstdio>
#include <limits>
#include <string>
#include <unordered_map>

#include "core/exposition.h"
#include "io/spool_file.h"

namespace edgewatch {

namespace {

// A value no sample has: the series was not there at that step (a NaN a gauge holds has another
// payload).
constexpr std::uint64_t kAbsentBits = 0x7ff8'0000'dead'beefULL;

double SampleValue(const prometheus::MetricFamily& f, const prometheus::ClientMetric& m) {
  switch (f.type) {
    case prometheus::MetricType::Counter:
      return m.counter.value;
    case prometheus::MetricType::Gauge:
      return m.gauge.value;
    default:
      return m.untyped.value;
  }
}

}  // namespace

struct HistoryExposition::Spool {
  struct Family {
    std::string header;                 // # TYPE, # HELP
    std::vector<std::uint32_t> series;  // in first-seen order
  };
  struct Row {
    std::int64_t timestamp_ms;
    std::uint64_t offset;  // of its first value in `rows`, in values
    std::uint64_t width;   // values: the series known then
  };
  std::vector<Family> families;
  std::unordered_map<std::string, std::size_t> family_of;  // by name
  std::vector<std::string> series;                         // name{labels} and a space
  std::unordered_map<std::string, std::uint32_t> series_of;
  io::SpoolFile rows;   // the values, row after row
  io::SpoolFile index;  // a Row per step
  std::uint64_t values = 0;
  std::int64_t last_ms = std::numeric_limits<std::int64_t>::min();
  std::vector<double> row;  // reused
  std::string key;          // reused
};

HistoryExposition::HistoryExposition() : spool_(std::make_unique<Spool>()) {}
HistoryExposition::~HistoryExposition() = default;

Status HistoryExposition::Add(std::int64_t timestamp_ms,
                              const std::vector<prometheus::MetricFamily>& families) {
  Spool& s = *spool_;
  if (timestamp_ms <= s.last_ms) {
    return Error{"history steps must move forward"};
  }
  s.last_ms = timestamp_ms;
  s.row.assign(s.series.size(), std::bit_cast<double>(kAbsentBits));
  for (const auto& f : families) {
    if (f.type == prometheus::MetricType::Histogram || f.type == prometheus::MetricType::Summary) {
      return Error{"history has no histograms or summaries (family " + f.name + ")"};
    }
    const auto [family, fresh] = s.family_of.try_emplace(f.name, s.families.size());
    if (fresh) {
      s.families.emplace_back();
      openmetrics::Header(s.families.back().header, f);
    }
    for (const auto& m : f.metric) {
      s.key.clear();
      openmetrics::SeriesOf(s.key, f.name, m);
      const auto [it, added] =
          s.series_of.try_emplace(s.key, static_cast<std::uint32_t>(s.series.size()));
      if (added) {
        s.series.push_back(s.key);
        s.families[family->second].series.push_back(it->second);
        s.row.push_back(0);
      }
      s.row[it->second] = SampleValue(f, m);
    }
  }
  const Spool::Row r{timestamp_ms, s.values, s.row.size()};
  if (Status w = s.rows.Append(s.row.data(), s.row.size() * sizeof(double)); !w) {
    return w;
  }
  s.values += s.row.size();
  return s.index.Append(&r, sizeof r);
}

Status HistoryExposition::Write(std::ostream& out) {
  Spool& s = *spool_;
  // A series' values are a row apart: read from the mapped spool, not from memory.
  const auto rows = s.rows.Map();
  const auto index = s.index.Map();
  if (!rows || !index) {
    return !rows ? rows.error() : index.error();
  }
  const auto* values = reinterpret_cast<const double*>(rows->data());
  const auto* steps = reinterpret_cast<const Spool::Row*>(index->data());
  const std::size_t step_count = index->size() / sizeof(Spool::Row);
  std::string text;
  for (const auto& f : s.families) {
    text += f.header;
    for (const std::uint32_t id : f.series) {
      for (std::size_t k = 0; k < step_count; ++k) {
        const Spool::Row& r = steps[k];
        if (id >= r.width) {
          continue;
        }
        const double v = values[r.offset + id];
        if (std::bit_cast<std::uint64_t>(v) == kAbsentBits) {
          continue;
        }
        text += s.series[id];
        openmetrics::Value(text, v);
        // OpenMetrics timestamps are in seconds.
        char stamp[32];
        const int n = std::snprintf(stamp, sizeof stamp, " %lld.%03lld\n",
                                    static_cast<long long>(r.timestamp_ms / 1000),
                                    static_cast<long long>(r.timestamp_ms % 1000));
        text.append(stamp, static_cast<std::size_t>(n));
        if (text.size() > (1 << 20)) {  // one series may have many steps: bounded all the same
          out << text;
          text.clear();
        }
      }
    }
  }
  text += "# EOF\n";
  out << text << std::flush;
  return out ? Status{} : Status{Error{"cannot write the history"}};
}

}  // namespace edgewatch
