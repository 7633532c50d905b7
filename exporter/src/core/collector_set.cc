#include "core/collector_set.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace edgewatch {
namespace {

constexpr MetricDesc kScrapeCollectorSuccess{"edgewatch_scrape_collector_success",
                                             prometheus::MetricType::Gauge,
                                             "Whether a collector succeeded within its deadline."};
constexpr MetricDesc kScrapeCollectorDurationSeconds{"edgewatch_scrape_collector_duration_seconds",
                                                     prometheus::MetricType::Gauge,
                                                     "How long a collector took in this scrape."};
constexpr const MetricDesc* kMetrics[] = {&kScrapeCollectorSuccess,
                                          &kScrapeCollectorDurationSeconds};

}  // namespace

MetricCatalogue CollectorSet::Metrics() { return kMetrics; }

CollectorSet::CollectorSet(std::vector<NamedCollector> collectors,
                           std::chrono::milliseconds timeout, const Clock& clock, Logger logger)
    : timeout_(timeout), clock_(clock), logger_(std::move(logger)) {
  for (auto& c : collectors) {
    auto entry = std::make_shared<Entry>();
    entry->name = std::move(c.name);
    entry->collector = std::move(c.collector);
    entry->carried_over = c.running;
    entries_.push_back(std::move(entry));
  }
}

CollectorSet::~CollectorSet() {
  if (started_) {
    StopAll();
  }
}

Status CollectorSet::StartAll() {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i]->carried_over) {
      continue;
    }
    Status s = entries_[i]->collector->Start();
    if (!s) {
      for (size_t j = 0; j < i; ++j) {
        if (!entries_[j]->carried_over) {
          entries_[j]->collector->Stop();
        }
      }
      return Error{"collector " + entries_[i]->name + ": " + s.error().message};
    }
  }
  started_ = true;
  return {};
}

void CollectorSet::StopAll() {
  for (auto& e : entries_) {
    e->collector->Stop();
  }
  started_ = false;
}

void CollectorSet::StopAllBut(const CollectorSet& next) {
  for (auto& e : entries_) {
    if (next.Find(e->name) != e->collector) {
      e->collector->Stop();
    }
  }
  started_ = false;
}

std::shared_ptr<Collector> CollectorSet::Find(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e->name == name) {
      return e->collector;
    }
  }
  return nullptr;
}

std::vector<std::string> CollectorSet::Names() const {
  std::vector<std::string> names;
  for (const auto& e : entries_) {
    names.push_back(e->name);
  }
  return names;
}

int CollectorSet::Scraping() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->scraping;
}

std::vector<prometheus::MetricFamily> CollectorSet::Collect() const {
  const auto start = clock_.Monotonic();
  // Join every collection in flight; start one for each collector that has none.
  std::vector<std::shared_ptr<Flight>> flights(entries_.size());
  std::vector<size_t> launch;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ++shared_->scraping;
    for (size_t i = 0; i < entries_.size(); ++i) {
      auto& flight = entries_[i]->flight;
      if (!flight) {
        flight = std::make_shared<Flight>();
        launch.push_back(i);
      }
      ++flight->waiting;
      flights[i] = flight;
    }
  }
  for (const size_t i : launch) {
    std::thread([entry = entries_[i], flight = flights[i], shared = shared_, &clock = clock_] {
      const auto t0 = clock.Monotonic();
      MetricSink sink;
      Status status = entry->collector->Collect(sink);
      const double seconds = std::chrono::duration<double>(clock.Monotonic() - t0).count();
      std::lock_guard<std::mutex> lock(shared->mu);
      flight->done = true;
      flight->ok = status.ok();
      flight->error = status.ok() ? "" : status.error().message;
      flight->seconds = seconds;
      flight->families = std::move(sink).Take();
      entry->flight.reset();  // the next scrape starts a new collection
      shared->done.notify_all();
    }).detach();
  }

  // Every scrape waiting on a flight gets its result: the last one to leave takes it, the
  // others (concurrent scrapers) a copy.
  struct Result {
    bool done = false;
    bool ok = false;
    std::string error;
    double seconds = 0;
    std::vector<prometheus::MetricFamily> families;
  };
  std::vector<Result> results(entries_.size());
  {
    std::unique_lock<std::mutex> lock(shared_->mu);
    shared_->done.wait_for(lock, timeout_, [&] {
      return std::all_of(flights.begin(), flights.end(), [](const auto& f) { return f->done; });
    });
    for (size_t i = 0; i < entries_.size(); ++i) {
      Flight& f = *flights[i];
      const bool last = --f.waiting == 0;
      if (f.done) {
        results[i] = {true, f.ok, f.error, f.seconds, {}};
        if (f.ok) {
          results[i].families = last ? std::move(f.families) : f.families;
        }
      }
    }
    --shared_->scraping;
  }
  const double waited = std::chrono::duration<double>(clock_.Monotonic() - start).count();

  MetricSink meta;
  std::vector<prometheus::MetricFamily> out;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& name = entries_[i]->name;
    auto& r = results[i];
    if (!r.done) {
      r.seconds = waited;
      logger_.Warn("collector missed the scrape deadline", {{"collector", name}});
    } else if (!r.ok) {
      logger_.Warn("collector failed", {{"collector", name}, {"err", r.error}});
    }
    meta.Add(kScrapeCollectorDurationSeconds, {{"collector", name}}, r.seconds);
    meta.Add(kScrapeCollectorSuccess, {{"collector", name}}, r.done && r.ok ? 1 : 0);
    if (r.done && r.ok) {
      AppendFamilies(out, std::move(r.families));
    }
  }
  AppendFamilies(out, std::move(meta).Take());
  return out;
}

}  // namespace edgewatch
