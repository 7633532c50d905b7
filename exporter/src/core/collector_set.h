#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
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
// beyond the deadline. Collections are single-flight: a scrape that comes while a collector's
// collection is under way joins it and gets its result rather than starting another, so
// concurrent scrapers (an HA pair of Prometheus servers) all get complete data, a status page is
// asked once per collection, and a hung collector costs one thread however many scrape. Only a
// scrape whose deadline passes before the collection ends reports it failed.
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
  // Scrapes inside Collect() now (for tests).
  int Scraping() const;

  // The meta families Collect() adds (edgewatch_scrape_collector_*).
  static MetricCatalogue Metrics();

 private:
  // One run of one collector's Collect(), for every scrape that joins it. Guarded by Shared::mu.
  struct Flight {
    bool done = false;
    bool ok = false;
    std::string error;
    double seconds = 0;
    std::vector<prometheus::MetricFamily> families;
    int waiting = 0;  // scrapes that have yet to take the result
  };
  struct Entry {
    std::string name;
    std::shared_ptr<Collector> collector;
    bool carried_over = false;
    std::shared_ptr<Flight> flight;  // the collection under way, guarded by Shared::mu
  };
  // What collector threads touch: it outlives the set while a late one runs.
  struct Shared {
    std::mutex mu;
    std::condition_variable done;  // a flight finished
    int scraping = 0;              // scrapes inside Collect()
  };

  std::vector<std::shared_ptr<Entry>> entries_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::chrono::milliseconds timeout_;
  const Clock& clock_;
  Logger logger_;
  bool started_ = false;
};

}  // namespace edgewatch
