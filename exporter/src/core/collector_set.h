#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/logger.h"
#include "prometheus/collectable.h"

namespace edgewatch {

struct NamedCollector {
  std::string name;
  std::shared_ptr<Collector> collector;
};

// The enabled collectors of one configuration. Collect() runs every collector concurrently,
// each on its own thread, and waits for each at most `timeout`: a collector that fails or is late
// is reported with edgewatch_scrape_collector_success 0 and never fails or delays the scrape
// beyond the deadline. A late collector keeps its thread until it returns; while it does, later
// scrapes report it failed without starting it again, so a hung collector costs one thread.
// Thread-safe; the set may be destroyed while a late collector still runs.
class CollectorSet final : public prometheus::Collectable {
 public:
  CollectorSet(std::vector<NamedCollector> collectors, std::chrono::milliseconds timeout,
               const Clock& clock, Logger logger);
  ~CollectorSet() override;

  // Starts every collector; on the first error stops those already started and returns it.
  Status StartAll();
  void StopAll();

  std::vector<prometheus::MetricFamily> Collect() const override;

  std::vector<std::string> Names() const;

 private:
  struct Entry {
    std::string name;
    std::shared_ptr<Collector> collector;
    std::atomic<bool> busy{false};
  };

  std::vector<std::shared_ptr<Entry>> entries_;
  std::chrono::milliseconds timeout_;
  const Clock& clock_;
  Logger logger_;
  bool started_ = false;
};

}  // namespace edgewatch
