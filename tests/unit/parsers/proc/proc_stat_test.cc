#include "parsers/proc/proc_stat.h"

#include <gtest/gtest.h>

#include <limits>

namespace edgewatch::proc {
namespace {

// A real line of this machine's /proc/self/stat shape (proc(5)), with a command name that
// holds spaces and parentheses.
constexpr std::string_view kStat =
    "4242 (edge (watch) x) S 1 4242 4242 0 -1 4194560 1021 0 0 0 250 150 0 0 20 0 5 0 123456 "
    "183500800 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 "
    "0 0\n";

TEST(ProcStatTest, ParsesProcessStat) {
  auto stat = ParseProcessStat(kStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 250u);
  EXPECT_EQ(stat->stime_ticks, 150u);
  EXPECT_EQ(stat->starttime_ticks, 123456u);
  EXPECT_EQ(stat->vsize_bytes, 183500800u);
  EXPECT_EQ(stat->rss_pages, 2048u);
}

TEST(ProcStatTest, RejectsTruncatedOrGarbage) {
  EXPECT_FALSE(ParseProcessStat("").has_value());
  EXPECT_FALSE(ParseProcessStat("4242 (x) S 1 2 3").has_value());
  EXPECT_FALSE(ParseProcessStat("no parenthesis at all").has_value());
  EXPECT_FALSE(ParseProcessStat(kStat.substr(0, 60)).has_value());
  std::string bad(kStat);
  bad.replace(bad.find(" 250 "), 5, " 2x0 ");
  EXPECT_FALSE(ParseProcessStat(bad).has_value());
}

TEST(ProcStatTest, ParsesMaxOpenFiles) {
  EXPECT_EQ(ParseMaxOpenFiles("Limit  Soft Limit  Hard Limit  Units\n"
                              "Max open files            1024                 524288    files\n"),
            1024u);
  EXPECT_EQ(ParseMaxOpenFiles("Max open files  unlimited  unlimited  files\n"),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(ParseMaxOpenFiles("Max processes 100 100 processes\n").has_value());
  EXPECT_FALSE(ParseMaxOpenFiles("Max open files").has_value());
}

TEST(ProcStatTest, ParsesBootTime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nbtime 1795650000\nprocesses 5\n"), 1795650000u);
  EXPECT_EQ(ParseBootTime("btime 42"), 42u);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").has_value());
  EXPECT_FALSE(ParseBootTime("btime x\n").has_value());
}

TEST(ProcStatTest, ParsesLoadAverage) {
  const auto load = ParseLoadAverage("41.02 12.50 3.10 87/912 31348\n");
  ASSERT_TRUE(load.has_value());
  EXPECT_DOUBLE_EQ((*load)[0], 41.02);
  EXPECT_DOUBLE_EQ((*load)[1], 12.5);
  EXPECT_DOUBLE_EQ((*load)[2], 3.1);
  EXPECT_FALSE(ParseLoadAverage("").has_value());
  EXPECT_FALSE(ParseLoadAverage("1.0 x 3.0").has_value());
}

TEST(ProcStatTest, ParsesPidFiles) {
  EXPECT_EQ(ParsePidFile("1234\n"), 1234u);
  EXPECT_EQ(ParsePidFile("  77 "), 77u);
  EXPECT_FALSE(ParsePidFile("").has_value());
  EXPECT_FALSE(ParsePidFile("0\n").has_value());
  EXPECT_FALSE(ParsePidFile("12 34\n").has_value());
  EXPECT_FALSE(ParsePidFile("12a\n").has_value());
}

}  // namespace
}  // namespace edgewatch::proc
