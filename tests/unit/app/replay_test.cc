#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "collectors/process_collector.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

// Counts the lines of each file it is given: a stand-in for the collectors the
// later issues plug in, to test the replay framework itself.
constexpr MetricDesc kLines{"test_replayed_lines_total", prometheus::MetricType::Counter,
                            "Lines replayed."};

class LineCounter final : public Collector {
 public:
  Status Replay(const std::string& path) override {
    std::ifstream in(path);
    if (!in) {
      return Error{"cannot open " + path};
    }
    std::string line;
    while (std::getline(in, line)) {
      ++lines_;
    }
    return {};
  }
  Status Collect(MetricSink& sink) const override {
    sink.Add(kLines, {}, lines_);
    return {};
  }

 private:
  double lines_ = 0;
};

std::unique_ptr<Collector> MakeLineCounter(const CollectorContext&) {
  return std::make_unique<LineCounter>();
}

// Reads files of times (one number of seconds a line) in time order for history replay, and
// exports how many it read and the latest time any input had when it read one.
constexpr MetricDesc kTimed{"test_timed_lines_total", prometheus::MetricType::Counter,
                            "Timed lines replayed."};
constexpr MetricDesc kOrder{"test_timed_in_order", prometheus::MetricType::Gauge,
                            "1 while every line came after the one before."};

class TimedCounter final : public Collector {
 public:
  class Source final : public ReplaySource {
   public:
    Source(TimedCounter& c, std::vector<std::int64_t> times) : c_(c), times_(std::move(times)) {}
    std::optional<std::int64_t> NextTime() override {
      return next_ < times_.size() ? std::optional<std::int64_t>(times_[next_] * 1'000'000'000)
                                   : std::nullopt;
    }
    Status ReadUntil(std::int64_t until_ns) override {
      while (NextTime() && *NextTime() <= until_ns) {
        c_.in_order_ = c_.in_order_ && times_[next_] >= c_.last_;
        c_.last_ = times_[next_++];
        ++c_.lines_;
      }
      return {};
    }

   private:
    TimedCounter& c_;
    std::vector<std::int64_t> times_;
    std::size_t next_ = 0;
  };

  Expected<std::unique_ptr<ReplaySource>> OpenReplay(const std::string& path) override {
    std::ifstream in(path);
    std::vector<std::int64_t> times;
    for (std::int64_t t = 0; in >> t;) {
      times.push_back(t);
    }
    return std::unique_ptr<ReplaySource>(std::make_unique<Source>(*this, std::move(times)));
  }
  Status Collect(MetricSink& sink) const override {
    sink.Add(kTimed, {}, lines_);
    sink.Add(kOrder, {}, in_order_ ? 1 : 0);
    return {};
  }

 private:
  double lines_ = 0;
  std::int64_t last_ = 0;
  bool in_order_ = true;
};

std::unique_ptr<Collector> MakeTimedCounter(const CollectorContext&) {
  return std::make_unique<TimedCounter>();
}

bool On(const Config&) { return true; }
bool Off(const Config&) { return false; }

// Replay flags as collectors register them: two share the `log` label, one names `server`s,
// one labels no file, one is disabled.
const CollectorRegistration kTestRegistry[] = {
    {"lines", "test", &On, &MakeLineCounter, nullptr, {"--lines", "lines", "server"}, {}, nullptr},
    {"access",
     "test",
     &On,
     &MakeLineCounter,
     nullptr,
     {"--access", "an access log", "log"},
     {},
     nullptr},
    {"mail", "test", &On, &MakeLineCounter, nullptr, {"--mail", "a mail log", "log"}, {}, nullptr},
    {"capture",
     "test",
     &On,
     &MakeLineCounter,
     nullptr,
     {"--capture", "a capture", ""},
     {},
     nullptr},
    {"off", "test", &Off, &MakeLineCounter, nullptr, {"--off", "never read", ""}, {}, nullptr},
    {"timed", "test", &On, &MakeTimedCounter, nullptr, {"--timed", "times", ""}, {}, nullptr},
    {"process",
     "the process collector, which reads no replay input",
     &On,
     kProcessCollector.make,
     nullptr,
     {},
     {},
     nullptr},
};

int Replay(std::vector<std::pair<std::string, std::string>> inputs, std::string& out,
           std::string& err) {
  CliOptions options;
  options.command = Command::kReplay;
  options.replay_inputs = std::move(inputs);
  std::ostringstream o, e;
  const int rc = RunReplay(options, kTestRegistry, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

TEST(ReplayTest, FeedsFilesToCollectorsAndPrintsTheirExposition) {
  std::string out, err;
  ASSERT_EQ(Replay({{"lines", testing::TestData("procfs/self/limits")},  // 5 lines
                    {"lines", testing::TestData("procfs/self/stat")}},   // 1 line
                   out, err),
            kExitOk)
      << err;
  EXPECT_NE(out.find("\ntest_replayed_lines_total 6\n"), std::string::npos) << out;
  EXPECT_NE(out.find("edgewatch_build_info{"), std::string::npos);
  // Collectors that read no input and run-time meta metrics are left out: reproducible output.
  EXPECT_EQ(out.find("process_"), std::string::npos);
  EXPECT_EQ(out.find("edgewatch_scrape_collector_duration_seconds"), std::string::npos);
}

TEST(ReplayTest, InputOfADisabledCollectorIsAnError) {
  std::string out, err;
  EXPECT_EQ(Replay({{"off", "x.pcap"}}, out, err), kExitUsage);
  EXPECT_EQ(err,
            "edgewatch: --off files are read by the off collector, which is disabled; enable it "
            "in the config or with --collector.off\n");
  EXPECT_TRUE(out.empty());
}

TEST(ReplayTest, TwoLogsOfOneNameAreAnError) {
  std::string out, err;
  EXPECT_EQ(Replay({{"access", "a/access.log"},
                    {"capture", "a/x.pcap"},
                    {"capture", "b/x.pcap"},
                    {"mail", "b/access.log"}},
                   out, err),
            kExitUsage);
  EXPECT_EQ(err,
            "edgewatch: replay: a/access.log and b/access.log are both named access.log, and "
            "series are labelled by file name; give one another name (a copy or a symlink)\n");
  // A status page may share a log's name: they label different series.
  EXPECT_EQ(Replay({{"lines", "/nonexistent/access.log"}, {"access", "/nonexistent/access.log"}},
                   out, err),
            kExitRuntime);
  EXPECT_EQ(err.find("both named"), std::string::npos) << err;
}

TEST(ReplayTest, HistoryMergesInputsInTimeOrderStepByStepAndSkipsLongQuiet) {
  const std::string dir = ::testing::TempDir();
  const std::string a = dir + "/a.times", b = dir + "/b.times";
  // Two inputs whose records interleave; b has one more, three days later.
  std::ofstream(a) << "1000\n1010\n1020\n";
  std::ofstream(b) << "1005\n1012\n260000\n";
  CliOptions options;
  options.command = Command::kReplay;
  options.replay_inputs = {{"timed", a}, {"timed", b}};
  options.history_step = std::chrono::seconds(10);
  options.history_labels = {{"job", "edgewatch"}, {"instance", "edge1"}};
  std::ostringstream o, e;
  ASSERT_EQ(RunReplay(options, kTestRegistry, o, e), kExitOk) << e.str();
  const std::string out = o.str();
  // Steps at 1000, 1010, 1020, ... : a record at a step's time is in it.
  EXPECT_NE(out.find("test_timed_lines_total{job=\"edgewatch\",instance=\"edge1\"} 1 1000.000\n"
                     "test_timed_lines_total{job=\"edgewatch\",instance=\"edge1\"} 3 1010.000\n"
                     "test_timed_lines_total{job=\"edgewatch\",instance=\"edge1\"} 5 1020.000\n"
                     "test_timed_lines_total{job=\"edgewatch\",instance=\"edge1\"} 5 1030.000\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("test_timed_in_order{job=\"edgewatch\",instance=\"edge1\"} 0"),
            std::string::npos);
  // The hour after the last record of the day is written (1020 to 4620), the rest of the quiet
  // skipped to the step of the late record.
  EXPECT_NE(out.find("} 5 4620.000\n"), std::string::npos);
  EXPECT_EQ(out.find("} 5 4630.000\n"), std::string::npos);
  EXPECT_NE(out.find("} 6 260000.000\n"), std::string::npos);
  std::size_t ups = 0;
  for (auto at = out.find("\nup{"); at != std::string::npos; at = out.find("\nup{", at + 1)) {
    ++ups;
  }
  EXPECT_EQ(ups, (4620 - 1000) / 10 + 1 + 1);
  EXPECT_TRUE(out.ends_with("# EOF\n"));
  // Inputs without times of their own make no history.
  options.replay_inputs = {{"lines", testing::TestData("procfs/self/stat")}};
  std::ostringstream o2, e2;
  EXPECT_EQ(RunReplay(options, kTestRegistry, o2, e2), kExitRuntime);
  EXPECT_NE(e2.str().find("no input has records with times"), std::string::npos) << e2.str();
}

TEST(ReplayTest, UnreadableFileIsAnError) {
  std::string out, err;
  EXPECT_EQ(Replay({{"lines", "/nonexistent"}}, out, err), kExitRuntime);
  EXPECT_EQ(err,
            "edgewatch: replay --lines /nonexistent: collector lines: cannot open "
            "/nonexistent\n");
}

}  // namespace
}  // namespace edgewatch
