#include "io/file_follower.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testutil/fake_clock.h"

namespace edgewatch::io {
namespace {

namespace fs = std::filesystem;

class Lines final : public LineSink {
 public:
  void Line(std::size_t log, std::uint64_t /*file_id*/, std::string_view /*file*/,
            std::string_view line) override {
    got.push_back(std::to_string(log) + ":" + std::string(line));
  }
  std::vector<std::string> Take() { return std::exchange(got, {}); }

  std::vector<std::string> got;
};

// Rotation styles on real files in a temporary directory, each step followed by one Poll(): the
// exact lines handed on (nothing lost, nothing twice) and the health counters.
class FileFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("edgewatch-follow-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Appends with O_APPEND, as a web server writes its log.
  static void Append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app | std::ios::binary) << text;
  }

  std::unique_ptr<FileFollower> Follow(std::vector<FollowedLog> logs,
                                       FollowerOptions options = {}) {
    return std::make_unique<FileFollower>(std::move(logs), options, clock_, logger_);
  }

  std::vector<std::string> Poll(FileFollower& f) {
    f.Poll(sink_);
    return sink_.Take();
  }

  fs::path dir_;
  testing::FakeClock clock_;
  std::ostringstream log_text_;
  Logger logger_{log_text_, LogLevel::kDebug, LogFormat::kLogfmt, clock_};
  Lines sink_;
};

using V = std::vector<std::string>;

TEST_F(FileFollowerTest, StartsAtTheEndAndJoinsPartialLines) {
  const auto log = Path("access.log");
  Append(log, "old 1\nold 2\n");
  auto f = Follow({{"web", log}});
  EXPECT_EQ(Poll(*f), V{});
  EXPECT_EQ(f->Health(0).open_files, 1u);
  Append(log, "new 1\nnew ");
  EXPECT_EQ(Poll(*f), V{"0:new 1"});
  Append(log, "2\n");
  EXPECT_EQ(Poll(*f), V{"0:new 2"});
  EXPECT_EQ(f->Health(0).lines, 2u);
  EXPECT_EQ(f->Health(0).bytes, 12u);
}

TEST_F(FileFollowerTest, RenameAndCreateDrainsTheOldFileFirst) {
  const auto log = Path("access.log");
  Append(log, "");
  auto f = Follow({{"web", log}}, {.rotate_wait = std::chrono::seconds(5)});
  Poll(*f);
  Append(log, "a\n");
  Poll(*f);
  Append(log, "b\n");
  fs::rename(log, Path("access.log.1"));
  Append(Path("access.log.1"), "c\n");  // the server still writes to the old file
  Append(log, "d\n");                   // until it reopens its log
  EXPECT_EQ(Poll(*f), (V{"0:b", "0:c", "0:d"}));
  EXPECT_EQ(f->Health(0).rotations, 1u);
  EXPECT_EQ(f->Health(0).open_files, 1u);
  Append(Path("access.log.1"), "e\n");
  clock_.Advance(std::chrono::seconds(4));
  EXPECT_EQ(Poll(*f), V{"0:e"});
  clock_.Advance(std::chrono::seconds(6));
  EXPECT_EQ(Poll(*f), V{});  // idle past rotate_wait: closed
  Append(Path("access.log.1"), "late\n");
  Append(log, "f\n");
  EXPECT_EQ(Poll(*f), V{"0:f"});
  EXPECT_EQ(f->Health(0).lines, 6u);
  EXPECT_EQ(f->Health(0).rotations, 1u);
}

TEST_F(FileFollowerTest, CopyTruncate) {
  const auto log = Path("access.log");
  Append(log, "");
  auto f = Follow({{"web", log}});
  Poll(*f);
  Append(log, "a\nb\n");
  EXPECT_EQ(Poll(*f), (V{"0:a", "0:b"}));
  fs::copy_file(log, Path("access.log.1"));
  fs::resize_file(log, 0);
  Append(log, "c\n");
  EXPECT_EQ(Poll(*f), V{"0:c"});
  EXPECT_EQ(f->Health(0).truncations, 1u);
  EXPECT_EQ(f->Health(0).rotations, 0u);
  EXPECT_EQ(f->Health(0).lines, 3u);
  // Cut to zero and seen empty, then written: one truncation, each line once.
  fs::resize_file(log, 0);
  EXPECT_EQ(Poll(*f), V{});
  Append(log, "d\n");
  EXPECT_EQ(Poll(*f), V{"0:d"});
  Append(log, "e\n");
  EXPECT_EQ(Poll(*f), V{"0:e"});
  EXPECT_EQ(f->Health(0).truncations, 2u);
}

// A copytruncate refilled past the old offset before the next poll: sizes alone saw an append
// and lost the new lines before the old offset (210 of 800 once). The first bytes changed: it
// is read again from 0.
TEST_F(FileFollowerTest, CopyTruncateRefilledPastTheOldOffset) {
  const auto log = Path("access.log");
  Append(log, "");
  auto f = Follow({{"web", log}});
  Poll(*f);
  Append(log, "old 1\nold 2\n");
  EXPECT_EQ(Poll(*f), (V{"0:old 1", "0:old 2"}));
  fs::resize_file(log, 0);
  Append(log, "new 1\nnew 2\nnew 3\nnew 4\n");
  EXPECT_EQ(Poll(*f), (V{"0:new 1", "0:new 2", "0:new 3", "0:new 4"}));
  EXPECT_EQ(f->Health(0).truncations, 1u);
  Append(log, "new 5\n");
  EXPECT_EQ(Poll(*f), V{"0:new 5"});  // then an append again
}

// A file cut short that still starts as it did (its tail removed) goes on from its new end:
// re-reading it from 0 counted its lines twice. (Its first 256 bytes tell: they stay.) What is
// appended between the cut and the next poll cannot be told from what stayed, and is skipped.
TEST_F(FileFollowerTest, AFileCutShortIsNotReadAgain) {
  const auto log = Path("access.log");
  Append(log, "");
  auto f = Follow({{"web", log}});
  Poll(*f);
  const std::string line(49, 'x');
  for (int i = 0; i < 10; ++i) {
    Append(log, line + "\n");
  }
  EXPECT_EQ(Poll(*f).size(), 10u);
  fs::resize_file(log, 6 * 50);  // the last 4 lines gone
  EXPECT_EQ(Poll(*f), V{});
  EXPECT_EQ(f->Health(0).truncations, 1u);
  Append(log, "e\n");
  EXPECT_EQ(Poll(*f), V{"0:e"});
}

TEST_F(FileFollowerTest, DelayCompressAcrossTwoRotations) {
  // logrotate with delaycompress: access.log -> access.log.1 (compressed only at the next
  // rotation: access.log.1 -> access.log.2.gz, the uncompressed file deleted).
  const auto log = Path("access.log");
  Append(log, "");
  auto f = Follow({{"web", log}}, {.rotate_wait = std::chrono::seconds(5)});
  Poll(*f);
  Append(log, "1\n");
  fs::rename(log, Path("access.log.1"));
  Append(log, "2\n");
  EXPECT_EQ(Poll(*f), (V{"0:1", "0:2"}));
  Append(log, "3\n");
  fs::remove(Path("access.log.1"));
  Append(Path("access.log.2.gz"), "compressed");
  fs::rename(log, Path("access.log.1"));
  Append(Path("access.log.1"), "4\n");
  Append(log, "5\n");
  EXPECT_EQ(Poll(*f), (V{"0:3", "0:4", "0:5"}));
  EXPECT_EQ(f->Health(0).rotations, 2u);
  EXPECT_EQ(f->Health(0).lines, 5u);
}

TEST_F(FileFollowerTest, DeletedAndRecreatedAndNotThereYet) {
  const auto log = Path("access.log");
  auto f = Follow({{"web", log}});
  EXPECT_EQ(Poll(*f), V{});
  EXPECT_EQ(f->Health(0).open_files, 0u);
  Append(log, "first\n");  // appears after start: read from its beginning
  EXPECT_EQ(Poll(*f), V{"0:first"});
  EXPECT_EQ(f->Health(0).open_files, 1u);
  Append(log, "last words\n");
  fs::remove(log);
  EXPECT_EQ(Poll(*f), V{"0:last words"});
  EXPECT_EQ(f->Health(0).open_files, 0u);
  EXPECT_EQ(f->Health(0).rotations, 1u);
  Append(log, "again\n");
  EXPECT_EQ(Poll(*f), V{"0:again"});
  EXPECT_EQ(f->Health(0).lines, 3u);
}

TEST_F(FileFollowerTest, DirectoryMovedAwayAndBack) {
  fs::create_directories(Path("httpd"));
  const auto log = Path("httpd/access.log");
  Append(log, "");
  auto f = Follow({{"web", log}}, {.rotate_wait = std::chrono::seconds(5)});
  Poll(*f);
  fs::rename(Path("httpd"), Path("httpd.moved"));
  Append(Path("httpd.moved/access.log"), "while away\n");
  EXPECT_EQ(Poll(*f), V{"0:while away"});
  EXPECT_EQ(f->Health(0).open_files, 0u);
  clock_.Advance(std::chrono::seconds(10));  // away for longer than rotate_wait: closed
  Poll(*f);
  Append(Path("httpd.moved/access.log"), "still away\n");
  fs::rename(Path("httpd.moved"), Path("httpd"));
  Append(log, "back\n");
  // The same file again: read on from where it was left, not from its start.
  EXPECT_EQ(Poll(*f), (V{"0:still away", "0:back"}));
  EXPECT_EQ(f->Health(0).open_files, 1u);
  EXPECT_EQ(f->Health(0).lines, 3u);
}

TEST_F(FileFollowerTest, GlobPicksUpNewFilesAndFollowsRenamesWithin) {
  Append(Path("a.log"), "a0\n");
  auto f = Follow({{"web", Path("*.log")}, {"other", Path("other.txt")}});
  Poll(*f);
  Append(Path("a.log"), "a1\n");
  Append(Path("b.log"), "b1\n");
  Append(Path("other.txt"), "o1\n");
  EXPECT_EQ(Poll(*f), (V{"0:a1", "0:b1", "1:o1"}));
  fs::rename(Path("b.log"), Path("c.log"));  // still matches: the same file, not a new one
  Append(Path("c.log"), "b2\n");
  EXPECT_EQ(Poll(*f), V{"0:b2"});
  EXPECT_EQ(f->Health(0).open_files, 2u);
  EXPECT_EQ(f->Health(0).rotations, 0u);
  EXPECT_EQ(f->Directories(), V{dir_.string()});
}

TEST_F(FileFollowerTest, LongLinesAreCutAndCounted) {
  const auto log = Path("access.log");
  Append(log, "");
  auto f = Follow({{"web", log}}, {.max_line = 8});
  Poll(*f);
  Append(log, "short\n0123456789abcdef\nok\n");
  EXPECT_EQ(Poll(*f), (V{"0:short", "0:01234567", "0:ok"}));
  Append(log, "0123456789");  // no newline yet, already past the cap
  EXPECT_EQ(Poll(*f), V{"0:01234567"});
  Append(log, "more of the same line\nnext\n");
  EXPECT_EQ(Poll(*f), V{"0:next"});
  EXPECT_EQ(f->Health(0).long_lines, 2u);
  EXPECT_EQ(f->Health(0).lines, 5u);
}

TEST_F(FileFollowerTest, ReplayReadsFromTheStartWithinTheBudget) {
  const auto log = Path("access.log");
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += "line " + std::to_string(i) + "\n";
  }
  Append(log, text + "unterminated");
  auto f = Follow({{"replay", log}}, {.from_start = true, .read_budget = 1000});
  int rounds = 1;
  while (f->Poll(sink_)) {
    ++rounds;
  }
  EXPECT_GT(rounds, 5);  // the budget split the file over several rounds
  f->Flush(sink_);
  const auto lines = sink_.Take();
  ASSERT_EQ(lines.size(), 1001u);
  EXPECT_EQ(lines[0], "0:line 0");
  EXPECT_EQ(lines[999], "0:line 999");
  EXPECT_EQ(lines[1000], "0:unterminated");
  EXPECT_EQ(f->Health(0).bytes, text.size() + 12);
}

TEST_F(FileFollowerTest, OnlyRegularFilesAndAtMostMaxFiles) {
  fs::create_directories(Path("d.log"));
  Append(Path("a.log"), "");
  Append(Path("b.log"), "");
  Append(Path("c.log"), "");
  auto f = Follow({{"web", Path("*.log")}}, {.max_files = 2});
  Poll(*f);
  EXPECT_EQ(f->Health(0).open_files, 2u);
  EXPECT_NE(log_text_.str().find("too many files match"), std::string::npos);
}

// A path that matches nothing (a typo, or nginx's log on an Apache host) says so once.
TEST_F(FileFollowerTest, APathThatMatchesNothingSaysSoOnce) {
  auto f = Follow({{"typo", Path("acess.log")},
                   {"glob", Path("*.nothing")},
                   {"dir", Path("apache/access.log")}});
  Poll(*f);
  Poll(*f);
  const std::string text = log_text_.str();
  EXPECT_NE(text.find("level=warn msg=\"no file matches the log's path; edgewatch_log_files stays "
                      "0 until one does\" log=typo path=" +
                      Path("acess.log") + " reason=\"no file in " +
                      fs::path(Path("acess.log")).parent_path().string() + " matches acess.log\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("log=glob path=" + Path("*.nothing")), std::string::npos) << text;
  EXPECT_NE(text.find("log=dir path=" + Path("apache/access.log") + " reason=\"directory " +
                      Path("apache") + " does not exist\""),
            std::string::npos)
      << text;
  std::size_t count = 0;
  for (std::size_t at = 0; (at = text.find("no file matches", at)) != std::string::npos; ++at) {
    ++count;
  }
  EXPECT_EQ(count, 3u);
  EXPECT_EQ(f->Health(0).read_errors, 0u);  // nothing failed: there is nothing yet
}

// A FIFO named as a log would never end: it is not followed, and says so once.
TEST_F(FileFollowerTest, AFifoIsAReadErrorNotASilence) {
  const auto fifo = Path("pipe.log");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = Follow({{"web", fifo}});
  Poll(*f);
  Poll(*f);
  EXPECT_EQ(f->Health(0).open_files, 0u);
  EXPECT_EQ(f->Health(0).read_errors, 1u);
  EXPECT_NE(log_text_.str().find("not a regular file (a FIFO, device or directory)"),
            std::string::npos)
      << log_text_.str();
}

TEST_F(FileFollowerTest, WrittenOnlyRoundsReadJustTheWrittenAndRotatedFiles) {
  Append(Path("a.log"), "");
  Append(Path("b.log"), "");
  auto f = Follow({{"web", Path("*.log")}});
  const V none;
  const V a_only{Path("a.log")};
  f->Poll(sink_, &a_only);  // the first round looks for files whatever it is told
  EXPECT_EQ(f->Health(0).open_files, 2u);
  Append(Path("a.log"), "a1\n");
  Append(Path("b.log"), "b1\n");
  Append(Path("c.log"), "c1\n");
  f->Poll(sink_, &a_only);
  EXPECT_EQ(sink_.Take(), V{"0:a1"});
  EXPECT_EQ(f->Health(0).open_files, 2u);  // nobody looked for c.log
  fs::rename(Path("a.log"), Path("a.old"));
  EXPECT_EQ(Poll(*f), (V{"0:b1", "0:c1"}));  // a full round: c.log is new, read from its start
  EXPECT_EQ(f->Health(0).rotations, 1u);
  Append(Path("a.old"), "a2\n");
  f->Poll(sink_, &none);  // a renamed-away file is read in every round
  EXPECT_EQ(sink_.Take(), V{"0:a2"});
}

TEST_F(FileFollowerTest, SetLogsKeepsTheLogsThatStayWhereTheyWere) {
  Append(Path("a.log"), "a old\n");
  Append(Path("b.log"), "b old\n");
  Append(Path("c.log"), "c old\n");
  auto f = Follow({{"a", Path("a.log")}, {"b", Path("b.log")}});
  Poll(*f);
  Append(Path("a.log"), "a0\n");
  EXPECT_EQ(Poll(*f), V{"0:a0"});
  Append(Path("a.log"), "a1\n");  // written before the reload, read after it
  Append(Path("b.log"), "b1\n");
  EXPECT_EQ(f->SetLogs({{"c", Path("c.log")}, {"a", Path("a.log")}}), (std::vector<int>{-1, 0}));
  EXPECT_EQ(f->size(), 2u);
  EXPECT_EQ(Poll(*f), V{"1:a1"});  // c starts at its end, as at start; b is gone
  EXPECT_EQ(f->Health(1).lines, 2u);
  Append(Path("c.log"), "c1\n");
  EXPECT_EQ(Poll(*f), V{"0:c1"});
  // The same name with another path is another log.
  EXPECT_EQ(f->SetLogs({{"c", Path("b.log")}}), std::vector<int>{-1});
  EXPECT_EQ(f->Health(0).lines, 0u);
}

}  // namespace
}  // namespace edgewatch::io
