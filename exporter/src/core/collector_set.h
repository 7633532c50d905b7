#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/logger.h"
#include "prometheus/collectable.h"

namespace edgewatch {

struct NamedCollector {
  std::string name;
  std::shared_ptr<Collector> collector;
  bool running = false;  // carried over from the set it replaces: started already
  // For one carried over: what changes in it once the new set is in service (may be empty).
  std::function<void()> reconfigure = nullptr;
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

  // Starts every collector not already running; on the first error stops those it started and
  // returns it.
  Status StartAll();
  void StopAll();
  // Hands over to `next`, which replaces this set: stops the collectors `next` does not hold.
  void StopAllBut(const CollectorSet& next);

  // The collector called `name`, or null.
  std::shared_ptr<Collector> Find(std::string_view name) const;

  std::vector<prometheus::MetricFamily> Collect() const override;

  std::vector<std::string> Names() const;

  // The meta families Collect() adds (edgewatch_scrape_collector_*).
  static MetricCatalogue Metrics();

 private:
  struct Entry {
    std::string name;
    std::shared_ptr<Collector> collector;
    bool carried_over = false;
    std::atomic<bool> busy{false};
  };

  std::vector<std::shared_ptr<Entry>> entries_;
  std::chrono::milliseconds timeout_;
  const Clock& clock_;
  Logger logger_;
  bool started_ = false;
};

}  // namespace edgewatch
