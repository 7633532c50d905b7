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

TEST(ReplayTest, UnreadableFileIsAnError) {
  std::string out, err;
  EXPECT_EQ(Replay({{"lines", "/nonexistent"}}, out, err), kExitRuntime);
  EXPECT_EQ(err,
            "edgewatch: replay --lines /nonexistent: collector lines: cannot open "
            "/nonexistent\n");
}

}  // namespace
}  // namespace edgewatch
