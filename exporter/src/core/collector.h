#pragma once

#include <string>

#include "core/metric_sink.h"
#include "parsers/expected.h"

namespace edgewatch {

// One source of metrics (NTP reflection, BGP probes, ...). Event-driven collectors count in
// their own state from background sources started by Start(); Collect() only snapshots it.
class Collector {
 public:
  virtual ~Collector() = default;

  // Starts background sources (capture threads, file followers). An error is fatal at start-up
  // and rejects a reload.
  virtual Status Start() { return {}; }
  // Stops background sources. Collect() may still be called afterwards.
  virtual void Stop() {}

  // Appends the current metrics to `sink`. Const, thread-safe and non-throwing; it should return
  // well within the scrape deadline. An error marks this collector failed for this scrape
  // (edgewatch_scrape_collector_success 0); other collectors are unaffected.
  virtual Status Collect(MetricSink& sink) const = 0;

  // Replay: reads a recorded input (the file of its registration's replay flag) to EOF.
  virtual Status Replay(const std::string& path);
};

}  // namespace edgewatch
