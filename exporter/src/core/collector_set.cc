#include "core/collector_set.h"

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

// Results of one scrape, shared with the collector threads, which may outlive the scrape.
struct Scrape {
  struct Result {
    bool done = false;
    bool ok = false;
    std::string error;
    double seconds = 0;
    std::vector<prometheus::MetricFamily> families;
  };

  explicit Scrape(size_t n) : results(n) {}

  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result> results;  // guarded by mu
};

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

std::vector<prometheus::MetricFamily> CollectorSet::Collect() const {
  auto scrape = std::make_shared<Scrape>(entries_.size());
  std::vector<bool> launched(entries_.size(), false);
  const auto start = clock_.Monotonic();

  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& entry = entries_[i];
    if (entry->busy.exchange(true)) {
      continue;  // still inside a collect that missed an earlier deadline
    }
    launched[i] = true;
    std::thread([entry, scrape, i, &clock = clock_] {
      const auto t0 = clock.Monotonic();
      MetricSink sink;
      Status status = entry->collector->Collect(sink);
      const double seconds = std::chrono::duration<double>(clock.Monotonic() - t0).count();
      entry->busy = false;
      std::lock_guard<std::mutex> lock(scrape->mu);
      auto& r = scrape->results[i];
      r.done = true;
      r.ok = status.ok();
      r.error = status.ok() ? "" : status.error().message;
      r.seconds = seconds;
      r.families = std::move(sink).Take();
      scrape->cv.notify_all();
    }).detach();
  }

  std::vector<Scrape::Result> results;
  {
    std::unique_lock<std::mutex> lock(scrape->mu);
    const auto all_done = [&] {
      for (size_t i = 0; i < entries_.size(); ++i) {
        if (launched[i] && !scrape->results[i].done) {
          return false;
        }
      }
      return true;
    };
    scrape->cv.wait_for(lock, timeout_, all_done);
    // Late collectors keep writing into `scrape`; take what is done now.
    results.resize(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (scrape->results[i].done) {
        results[i] = std::move(scrape->results[i]);
      }
    }
  }
  const double waited = std::chrono::duration<double>(clock_.Monotonic() - start).count();

  MetricSink meta;
  std::vector<prometheus::MetricFamily> out;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& name = entries_[i]->name;
    auto& r = results[i];
    if (!r.done) {
      r.seconds = waited;
      logger_.Warn(launched[i] ? "collector missed the scrape deadline"
                               : "collector still busy with an earlier scrape",
                   {{"collector", name}});
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
