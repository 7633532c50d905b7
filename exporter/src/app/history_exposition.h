#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <vector>

#include "parsers/expected.h"
#include "prometheus/metric_family.h"

namespace edgewatch {

// OpenMetrics text with a timestamp on every sample, from snapshots taken step by step (edgewatch
// replay --output.step): families in first-seen order, each series' samples together and in
// time order, as OpenMetrics wants, "# EOF" at the end. Snapshots are spooled to unlinked
// temporary files (one row of values per step, a series' place in it fixed when first seen),
// not kept: memory grows with the series ever seen, not with the steps. Counters, gauges and
// untyped families: no replayed collector exports a histogram. Not thread-safe.
class HistoryExposition {
 public:
  HistoryExposition();
  ~HistoryExposition();
  HistoryExposition(const HistoryExposition&) = delete;
  HistoryExposition& operator=(const HistoryExposition&) = delete;

  // The series as of `timestamp_ms` (milliseconds since the epoch, later than the last).
  Status Add(std::int64_t timestamp_ms, const std::vector<prometheus::MetricFamily>& families);
  // Writes it all to `out`.
  Status Write(std::ostream& out);

 private:
  struct Spool;
  std::unique_ptr<Spool> spool_;
};

}  // namespace edgewatch
