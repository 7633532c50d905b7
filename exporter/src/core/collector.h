#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/metric_sink.h"
#include "parsers/expected.h"

namespace edgewatch {

// A recorded input opened for replay as history (edgewatch replay --output.step): read in its
// own time order, so that several inputs merge by time and snapshots fall between records.
class ReplaySource {
 public:
  virtual ~ReplaySource() = default;
  // The input's own time (nanoseconds since the epoch) of its next record; nullopt at its end
  // (or for an input without times, read whole when opened).
  virtual std::optional<std::int64_t> NextTime() = 0;
  // Reads the records up to and including time `until_ns`; the collector's windows are then at
  // `until_ns`, so a quiet stretch expires them as it would have live.
  virtual Status ReadUntil(std::int64_t until_ns) = 0;
};

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
  // Replay as history: the input opened, nothing read yet. The default reads it whole with
  // Replay() (an input without times, such as a saved status page).
  virtual Expected<std::unique_ptr<ReplaySource>> OpenReplay(const std::string& path);
};

}  // namespace edgewatch
