#include "core/collector_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <sstream>

#include "testutil/fake_clock.h"

namespace edgewatch {
namespace {

constexpr MetricDesc kValue{"test_value", prometheus::MetricType::Gauge, "A test value."};
constexpr MetricDesc kPartial{"test_partial", prometheus::MetricType::Gauge,
                              "Must not be exported."};
constexpr MetricDesc kLate{"test_late", prometheus::MetricType::Gauge, "Arrives too late."};

using std::chrono::milliseconds;

class ValueCollector final : public Collector {
 public:
  explicit ValueCollector(double v) : v_(v) {}
  Status Collect(MetricSink& sink) const override {
    sink.Add(kValue, {{"k", "v"}}, v_);
    return {};
  }

 private:
  double v_;
};

class FailingCollector final : public Collector {
 public:
  Status Collect(MetricSink& sink) const override {
    sink.Add(kPartial, {}, 1);
    return Error{"source gone"};
  }
};

// Blocks in Collect until released, like a collector stuck on a dead target.
class BlockingCollector final : public Collector {
 public:
  Status Collect(MetricSink& sink) const override {
    ++calls;
    release.wait();
    sink.Add(kLate, {}, 1);
    return {};
  }
  std::shared_future<void> release;
  mutable std::atomic<int> calls{0};
};

const prometheus::ClientMetric* Find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name, const std::string& collector = "") {
  for (const auto& f : families) {
    if (f.name != name) {
      continue;
    }
    for (const auto& m : f.metric) {
      if (collector.empty() || (!m.label.empty() && m.label[0].value == collector)) {
        return &m;
      }
    }
  }
  return nullptr;
}

class CollectorSetTest : public ::testing::Test {
 protected:
  std::ostringstream log_;
  testing::FakeClock clock_;
  Logger logger_{log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_};
};

TEST_F(CollectorSetTest, ExportsFamiliesAndSuccess) {
  CollectorSet set({{"a", std::make_shared<ValueCollector>(42)}}, milliseconds(1000), clock_,
                   logger_);
  const auto families = set.Collect();
  const auto* value = Find(families, "test_value");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->gauge.value, 42);
  const auto* success = Find(families, "edgewatch_scrape_collector_success", "a");
  ASSERT_NE(success, nullptr);
  EXPECT_EQ(success->gauge.value, 1);
  ASSERT_NE(Find(families, "edgewatch_scrape_collector_duration_seconds", "a"), nullptr);
}

TEST_F(CollectorSetTest, SameMetricFromTwoCollectorsIsOneFamily) {
  CollectorSet set(
      {{"a", std::make_shared<ValueCollector>(1)}, {"b", std::make_shared<ValueCollector>(2)}},
      milliseconds(1000), clock_, logger_);
  const auto families = set.Collect();
  const auto n = std::count_if(families.begin(), families.end(),
                               [](const auto& f) { return f.name == "test_value"; });
  EXPECT_EQ(n, 1);
  const auto it = std::find_if(families.begin(), families.end(),
                               [](const auto& f) { return f.name == "test_value"; });
  ASSERT_NE(it, families.end());
  ASSERT_EQ(it->metric.size(), 2u);
  EXPECT_EQ(it->metric[0].gauge.value, 1);
  EXPECT_EQ(it->metric[1].gauge.value, 2);
}

TEST_F(CollectorSetTest, FailingCollectorIsReportedAndOthersStillExport) {
  CollectorSet set({{"bad", std::make_shared<FailingCollector>()},
                    {"good", std::make_shared<ValueCollector>(7)}},
                   milliseconds(1000), clock_, logger_);
  const auto families = set.Collect();
  EXPECT_EQ(Find(families, "edgewatch_scrape_collector_success", "bad")->gauge.value, 0);
  EXPECT_EQ(Find(families, "edgewatch_scrape_collector_success", "good")->gauge.value, 1);
  EXPECT_EQ(Find(families, "test_partial"), nullptr);
  EXPECT_EQ(Find(families, "test_value")->gauge.value, 7);
  EXPECT_NE(
      log_.str().find("level=warn msg=\"collector failed\" collector=bad err=\"source gone\""),
      std::string::npos)
      << log_.str();
}

TEST_F(CollectorSetTest, SlowCollectorMissesDeadlineWithoutBlockingOthers) {
  std::promise<void> release;
  auto blocking = std::make_shared<BlockingCollector>();
  blocking->release = release.get_future().share();
  // The wait is a condition-variable deadline, not a sleep: 500 ms bounds how long the
  // scrape may wait for the stuck collector (and is long enough for the good one on a loaded
  // 2-core CI machine, where 50 ms was not).
  CollectorSet set({{"stuck", blocking}, {"good", std::make_shared<ValueCollector>(1)}},
                   milliseconds(500), clock_, logger_);

  const auto first = set.Collect();
  EXPECT_EQ(Find(first, "edgewatch_scrape_collector_success", "stuck")->gauge.value, 0);
  EXPECT_EQ(Find(first, "edgewatch_scrape_collector_success", "good")->gauge.value, 1);
  EXPECT_EQ(Find(first, "test_late"), nullptr);

  // Still stuck: the next scrape joins the collection under way, not a second one.
  const auto second = set.Collect();
  EXPECT_EQ(Find(second, "edgewatch_scrape_collector_success", "stuck")->gauge.value, 0);
  EXPECT_EQ(blocking->calls.load(), 1);
  EXPECT_NE(log_.str().find("collector missed the scrape deadline"), std::string::npos);

  // Once the target answers again, the collector recovers.
  release.set_value();
  double success = 0;
  for (int i = 0; i < 100 && success == 0; ++i) {
    success = Find(set.Collect(), "edgewatch_scrape_collector_success", "stuck")->gauge.value;
  }
  EXPECT_EQ(success, 1);
}

// Four scrapers at once (an HA pair and two more) against a slow collector: one collection, and
// every scrape gets its data. Skipping a busy collector gave 72 of 80 scrapes no httpd data.
TEST_F(CollectorSetTest, ConcurrentScrapesJoinOneCollection) {
  std::promise<void> release;
  auto slow = std::make_shared<BlockingCollector>();
  slow->release = release.get_future().share();
  CollectorSet set({{"slow", slow}}, milliseconds(60'000), clock_, logger_);
  std::vector<std::future<std::vector<prometheus::MetricFamily>>> scrapes;
  for (int i = 0; i < 4; ++i) {
    scrapes.push_back(std::async(std::launch::async, [&set] { return set.Collect(); }));
  }
  while (set.Scraping() < 4) {  // all four are waiting on the one collection
  }
  release.set_value();
  for (auto& f : scrapes) {
    const auto got = f.get();
    EXPECT_EQ(Find(got, "edgewatch_scrape_collector_success", "slow")->gauge.value, 1);
    EXPECT_NE(Find(got, "test_late"), nullptr);
  }
  EXPECT_EQ(slow->calls.load(), 1);
  // The next scrape starts a fresh collection.
  EXPECT_NE(Find(set.Collect(), "test_late"), nullptr);
  EXPECT_EQ(slow->calls.load(), 2);
}

TEST_F(CollectorSetTest, StartFailureStopsThoseAlreadyStarted) {
  struct Tracked final : Collector {
    explicit Tracked(bool fail, std::vector<std::string>* events, std::string name)
        : fail_(fail), events_(events), name_(std::move(name)) {}
    Status Start() override {
      events_->push_back("start " + name_);
      return fail_ ? Status(Error{"no such device"}) : Status();
    }
    void Stop() override { events_->push_back("stop " + name_); }
    Status Collect(MetricSink&) const override { return {}; }
    bool fail_;
    std::vector<std::string>* events_;
    std::string name_;
  };
  std::vector<std::string> events;
  CollectorSet set({{"one", std::make_shared<Tracked>(false, &events, "one")},
                    {"two", std::make_shared<Tracked>(true, &events, "two")}},
                   milliseconds(100), clock_, logger_);
  Status s = set.StartAll();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "collector two: no such device");
  EXPECT_EQ(events, (std::vector<std::string>{"start one", "start two", "stop one"}));
}

}  // namespace
}  // namespace edgewatch
