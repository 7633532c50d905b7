#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collectors/registry.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/collector_set.h"
#include "core/exposition.h"
#include "core/logger.h"
#include "core/metric_sink.h"
#include "parsers/expected.h"

namespace edgewatch {

struct ExporterOptions {
  std::optional<std::string> config_file;  // none: the embedded default
  std::map<std::string, bool> collector_overrides;
  std::string procfs_root = "/proc";
};

// The running exporter: the current configuration and its collectors, reload, and the whole
// exposition (collectors plus meta metrics). Thread-safe: scrapes may run during a reload.
class Exporter {
 public:
  Exporter(ExporterOptions options, std::span<const CollectorRegistration> registry,
           const Clock& clock, Logger logger);
  ~Exporter();

  // Loads the config and starts its collectors. An error (bad config, a collector that cannot
  // start) is fatal at start-up.
  Status Start();
  // Loads the config again. On success the new collectors replace the old, except that one whose
  // registration carries it over (its section unchanged) keeps running with its state; on any
  // error the old ones keep running. Either way the edgewatch_config_last_reload_* metrics tell.
  Status Reload();
  void Stop();

  // The exposition of one scrape in `format`, with what `extra` adds (families from outside the
  // collectors, such as the web server's).
  std::string Scrape(const std::function<void(MetricSink&)>& extra = nullptr,
                     ExpositionFormat format = ExpositionFormat::kText) const;
  std::vector<std::string> EnabledCollectors() const;
  // True between a successful Start() and Stop().
  bool Ready() const;

 private:
  // A configuration and the collectors built from it.
  struct Running {
    std::shared_ptr<const Config> config;
    std::shared_ptr<CollectorSet> set;
    std::vector<std::string> carried_over;  // names taken over from the set it replaces
    std::vector<std::function<void()>> reconfigure = {};  // theirs, to run once in service
  };

  // Loads the config and starts its collectors, taking over from running_ what carries over.
  Expected<Running> Build() const;
  // Serves `next` (empty on stop) and stops what of running_ it does not take over.
  void Replace(Running next);
  void RecordReload(bool ok);

  ExporterOptions options_;
  std::span<const CollectorRegistration> registry_;
  const Clock& clock_;
  Logger logger_;

  std::mutex reload_mu_;  // serialises Start/Reload/Stop
  Running running_;       // guarded by reload_mu_
  mutable std::mutex mu_;
  std::shared_ptr<CollectorSet> collectors_;  // what scrapes use, guarded by mu_
  std::atomic<bool> last_reload_ok_{false};
  std::atomic<double> last_reload_success_seconds_{0};
};

// Adds edgewatch_build_info{version,revision,compiler} 1.
void AddBuildInfo(MetricSink& sink);

// The families the exporter adds itself: build info, config reload.
MetricCatalogue ExporterMetrics();

}  // namespace edgewatch
