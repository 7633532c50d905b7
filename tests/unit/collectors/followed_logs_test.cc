#include "collectors/followed_logs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "prometheus/text_serializer.h"
#include "testutil/fake_clock.h"
#include "testutil/step_trigger.h"
#include "testutil/temp_dir.h"

namespace edgewatch {
namespace {

using ::testing::HasSubstr;

constexpr MetricDesc kSeen{"test_seen", prometheus::MetricType::Gauge, "What a handler saw."};

// Records what FollowedLogs hands it; exports how many lines it saw, the time of the last
// one and the config index it runs as.
struct Recorder final : LogHandler {
  explicit Recorder(std::optional<std::size_t> index) : config_index(index) {}

  void Line(std::string_view line, LogTime& time) override {
    lines.emplace_back(line);
    if (on_line) {
      on_line(lines.size());
    }
    last_ns = time.Now([&] { return LineTime(line); });
  }
  // Replay: a line "t=N" logged at N seconds.
  std::optional<std::int64_t> LineTime(std::string_view line) override {
    if (line.starts_with("t=")) {
      return std::stoll(std::string(line.substr(2))) * 1'000'000'000;
    }
    return std::nullopt;
  }
  void Kept(std::size_t index) override { config_index = index; }
  void Export(MetricSink& sink, const std::string& log, std::int64_t now_ns) const override {
    sink.Add(kSeen,
             {{"log", log},
              {"index", config_index ? std::to_string(*config_index) : "replay"},
              {"now", std::to_string(now_ns)}},
             static_cast<double>(lines.size()));
  }

  std::optional<std::size_t> config_index;
  std::vector<std::string> lines;
  std::int64_t last_ns = 0;
  std::function<void(std::size_t lines_seen)> on_line;  // called on the follower's thread
};

class FollowedLogsTest : public ::testing::Test {
 protected:
  std::unique_ptr<FollowedLogs> Make(std::vector<LogSource> logs,
                                     std::unique_ptr<io::FileChangeTrigger> trigger) {
    return std::make_unique<FollowedLogs>(
        std::move(logs), FollowConfig{}, clock_,
        Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_), std::move(trigger),
        [this](std::optional<std::size_t> index) {
          auto r = std::make_unique<Recorder>(index);
          made_.push_back(r.get());
          return r;
        });
  }
  static std::string Text(const FollowedLogs& logs) {
    MetricSink sink;
    EXPECT_TRUE(logs.Collect(sink).ok());
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, std::move(sink).Take());
    return out.str();
  }

  testing::FakeClock clock_;
  std::ostringstream log_;
  std::vector<Recorder*> made_;  // owned by the FollowedLogs
};

TEST_F(FollowedLogsTest, FeedsEachLogsLinesToItsHandlerWithTheLiveClock) {
  const testing::TempDir dir("fl-live");
  const auto a = dir.File("a.log");
  const auto b = dir.File("b.log");
  std::ofstream(a) << "before start\n";
  std::ofstream(b) << "";
  auto trigger = std::make_unique<testing::StepTrigger>();
  auto* step = trigger.get();
  auto logs = Make({{"a", a}, {"b", b}}, std::move(trigger));
  ASSERT_TRUE(logs->Start().ok());
  step->AwaitFirstRound();
  clock_.Advance(std::chrono::seconds(5));
  std::ofstream(a, std::ios::app) << "one\r\n\n";
  std::ofstream(b, std::ios::app) << "t=99\ntwo\n";
  step->Step();
  ASSERT_EQ(made_.size(), 2u);
  EXPECT_EQ(made_[0]->lines, std::vector<std::string>{"one"});  // CR gone, empty line skipped
  EXPECT_EQ(made_[1]->lines, (std::vector<std::string>{"t=99", "two"}));
  // Live, windows run on the monotonic clock, whatever the line says.
  EXPECT_EQ(made_[1]->last_ns, 5'000'000'000);
  const std::string t = Text(*logs);
  EXPECT_THAT(t, HasSubstr("edgewatch_log_lines_total{log=\"a\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("test_seen{log=\"b\",index=\"1\",now=\"5000000000\"} 2\n"));
  logs->Stop();
}

// A scrape during a long catch-up gets the lock at the next line boundary, not at the end of
// the round: it sees exactly the lines handled when it began to wait.
TEST_F(FollowedLogsTest, AScrapeNeverWaitsForACatchUp) {
  const testing::TempDir dir("fl-backlog");
  const auto a = dir.File("a.log");
  std::ofstream(a) << "";
  auto trigger = std::make_unique<testing::StepTrigger>();
  auto* step = trigger.get();
  auto logs = Make({{"a", a}}, std::move(trigger));
  ASSERT_TRUE(logs->Start().ok());
  step->AwaitFirstRound();
  std::atomic<bool> reached{false};
  made_[0]->on_line = [&](std::size_t seen) {
    if (seen == 1000) {
      reached = true;
      while (!logs->ScrapeWaiting()) {  // the scrape below is blocked on the follower now
      }
    }
  };
  {
    std::ofstream out(a, std::ios::app);
    for (int i = 0; i < 5000; ++i) {
      out << "line " << i << "\n";
    }
  }
  std::thread round([&] { step->Step(); });
  while (!reached) {
  }
  EXPECT_THAT(Text(*logs), HasSubstr("test_seen{log=\"a\",index=\"0\",now=\"0\"} 1000\n"));
  round.join();
  EXPECT_EQ(made_[0]->lines.size(), 5000u);  // and the catch-up went on
  logs->Stop();
}

TEST_F(FollowedLogsTest, ReplayNamesTheLogAfterItsFileAndRunsOnLoggedTime) {
  const testing::TempDir dir("fl-replay");
  const auto path = dir.File("incident.log");
  std::ofstream(path) << "t=100\nno time\nt=160\nlast, without newline";
  auto logs = Make({}, std::make_unique<testing::StepTrigger>());
  ASSERT_TRUE(logs->Replay(path).ok());
  ASSERT_EQ(made_.size(), 1u);
  EXPECT_EQ(made_[0]->lines.size(), 4u);
  EXPECT_EQ(made_[0]->last_ns, 160'000'000'000);  // a line without a time keeps the last one
  EXPECT_THAT(
      Text(*logs),
      HasSubstr("test_seen{log=\"incident.log\",index=\"replay\",now=\"160000000000\"} 4\n"));
  EXPECT_FALSE(logs->Replay(dir.File("missing.log")).ok());
}

TEST_F(FollowedLogsTest, HistoryReplayReadsLinesUpToEachStepInTheirTimeOrder) {
  const testing::TempDir dir("fl-history");
  const auto path = dir.File("incident.log");
  std::ofstream(path) << "t=100\nno time\nt=160\nt=161\nlast, without newline";
  auto logs = Make({}, std::make_unique<testing::StepTrigger>());
  auto source = logs->OpenReplay(path);
  ASSERT_TRUE(source.ok()) << source.error().message;
  ReplaySource& history = **source;
  EXPECT_EQ(history.NextTime(), 100'000'000'000);
  ASSERT_TRUE(history.ReadUntil(150'000'000'000).ok());
  ASSERT_EQ(made_.size(), 1u);
  EXPECT_EQ(made_[0]->lines, (std::vector<std::string>{"t=100", "no time"}));
  EXPECT_EQ(history.NextTime(), 160'000'000'000);
  // A step with no line: the windows are at the step's time all the same.
  EXPECT_THAT(Text(*logs), HasSubstr("now=\"150000000000\"} 2\n"));
  ASSERT_TRUE(history.ReadUntil(160'000'000'000).ok());  // a line at the step is in it
  EXPECT_EQ(made_[0]->lines.size(), 3u);
  ASSERT_TRUE(history.ReadUntil(200'000'000'000).ok());
  EXPECT_EQ(made_[0]->lines.size(), 5u);  // the unterminated last line keeps t=161
  EXPECT_EQ(history.NextTime(), std::nullopt);
  EXPECT_FALSE(logs->OpenReplay(dir.File("missing.log")).ok());
}

TEST_F(FollowedLogsTest, SetLogsKeepsHandlersOfLogsThatStay) {
  const testing::TempDir dir("fl-set");
  const auto a = dir.File("a.log");
  const auto b = dir.File("b.log");
  const auto c = dir.File("c.log");
  for (const auto& p : {a, b, c}) {
    std::ofstream(p) << "";
  }
  auto trigger = std::make_unique<testing::StepTrigger>();
  auto* step = trigger.get();
  auto logs = Make({{"a", a}, {"b", b}}, std::move(trigger));
  ASSERT_TRUE(logs->Start().ok());
  step->AwaitFirstRound();
  std::ofstream(b, std::ios::app) << "kept\n";
  step->Step();
  Recorder* kept = made_[1];
  logs->SetLogs({{"c", c}, {"b", b}});
  std::ofstream(b, std::ios::app) << "after\n";
  step->Step();
  ASSERT_EQ(made_.size(), 3u);  // one new handler, for c
  EXPECT_EQ(kept->lines, (std::vector<std::string>{"kept", "after"}));
  EXPECT_EQ(kept->config_index, 1u);  // b is now the second configured log
  const std::string t = Text(*logs);
  EXPECT_THAT(t, HasSubstr("test_seen{log=\"b\",index=\"1\""));
  EXPECT_THAT(t, HasSubstr("test_seen{log=\"c\",index=\"0\""));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("log=\"a\"")));
  logs->Stop();
}

}  // namespace
}  // namespace edgewatch
