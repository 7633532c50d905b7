#include "core/top_k.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(SpaceSavingTest, ExactWhileKeysFit) {
  SpaceSaving<int> s(4);
  s.Add(1, 10);
  s.Add(2, 5);
  s.Add(1, 7);
  std::vector<Counted<int>> out;
  s.AppendTo(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key, 1);
  EXPECT_EQ(out[0].count, 17u);
  EXPECT_EQ(out[0].error, 0u);
  EXPECT_EQ(out[1].key, 2);
  EXPECT_EQ(out[1].count, 5u);
  EXPECT_EQ(s.MinCount(), 0u);  // not full: exact
}

TEST(SpaceSavingTest, HeavyHitterSurvivesAFloodOfDistinctKeys) {
  SpaceSaving<int> s(8);
  for (int i = 0; i < 100000; ++i) {
    s.Add(1000 + i, 1);  // a million-address flood, one packet each
    if (i % 10 == 0) {
      s.Add(7, 100);  // the real target
    }
  }
  std::vector<Counted<int>> out;
  s.AppendTo(out);
  EXPECT_EQ(out.size(), 8u);  // never more than the capacity
  const auto it = std::find_if(out.begin(), out.end(), [](const auto& c) { return c.key == 7; });
  ASSERT_NE(it, out.end());
  EXPECT_GE(it->count, 10000u * 100u);  // never under-estimated
  EXPECT_LE(it->guaranteed(), 10000u * 100u);
  EXPECT_GE(it->guaranteed(), 10000u * 100u - s.MinCount());
}

// 5 million clients with one request each once showed ten of them at 23,438 requests each:
// their counts were all inherited error. Each listed client surely sent what it shows, and the
// bound says how little the list knows.
TEST(WindowedTopKTest, ASprayOfDistinctKeysNamesNoInnocentHeavyHitter) {
  WindowedTopK<int> top(40, 60 * kSecond);
  constexpr int kClients = 200000;
  for (int i = 0; i < kClients; ++i) {
    top.Add(kSecond, i, 1);
  }
  const auto list = top.Top(kSecond, 10);
  for (const auto& [client, count] : list.entries) {
    EXPECT_EQ(count, 1u) << client;  // each sent one: all that is certain
  }
  // 200000 requests over 40 entries: every count is about 5000, almost all of it error.
  EXPECT_GE(list.error_bound, kClients / 40 - 1u);
  EXPECT_LE(list.error_bound, kClients / 40 + 1u);
}

// A real heavy hitter inside the spray still tops the list, with a count it surely had.
TEST(WindowedTopKTest, AHeavyHitterInASprayKeepsAGuaranteedCount) {
  WindowedTopK<int> top(40, 60 * kSecond);
  for (int i = 0; i < 100000; ++i) {
    top.Add(kSecond, 1000 + i, 1);
    if (i % 10 == 0) {
      top.Add(kSecond, 7, 1);
    }
  }
  const auto list = top.Top(kSecond, 3);
  ASSERT_FALSE(list.entries.empty());
  EXPECT_EQ(list.entries[0].first, 7);
  EXPECT_LE(list.entries[0].second, 10000u);
  EXPECT_GE(list.entries[0].second + list.error_bound, 10000u);
}

TEST(WindowedTopKTest, ReportsLargestFirstAndForgetsOldWindows) {
  WindowedTopK<int> top(16, 60 * kSecond);
  top.Add(0, 1, 100);
  top.Add(kSecond, 2, 300);
  top.Add(2 * kSecond, 3, 200);
  auto now = top.Top(3 * kSecond, 2).entries;
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0], (std::pair<int, std::uint64_t>{2, 300}));
  EXPECT_EQ(now[1], (std::pair<int, std::uint64_t>{3, 200}));
  EXPECT_EQ(top.Top(3 * kSecond, 2).error_bound, 0u);  // every key held: exact
  // 40 s later (next half-window) the earlier half is still in the window.
  top.Add(40 * kSecond, 1, 250);
  now = top.Top(40 * kSecond, 3).entries;
  EXPECT_EQ(now[0], (std::pair<int, std::uint64_t>{1, 350}));
  // Two half-windows later the first half is gone; after a long silence, everything is.
  now = top.Top(61 * kSecond, 3).entries;
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0], (std::pair<int, std::uint64_t>{1, 250}));
  EXPECT_TRUE(top.Top(600 * kSecond, 3).entries.empty());
}

// Evictions: 4 entries, 10 distinct keys in one half window (6 evict), then 3 more in the next
// half (the new half is empty: they fit), then 2 more (one fits, one evicts); the count never
// goes back.
TEST(WindowedTopKTest, CountsEvictionsAcrossHalfWindows) {
  WindowedTopK<int> top(4, 60 * kSecond);
  for (int k = 0; k < 10; ++k) {
    top.Add(kSecond, k, 1);
  }
  EXPECT_EQ(top.replacements(), 6u);
  for (int k = 100; k < 103; ++k) {
    top.Add(31 * kSecond, k, 1);
  }
  EXPECT_EQ(top.replacements(), 6u);
  for (int k = 200; k < 202; ++k) {
    top.Add(31 * kSecond, k, 1);
  }
  EXPECT_EQ(top.replacements(), 7u);
  top.Add(600 * kSecond, 1, 1);  // both halves cleared
  EXPECT_EQ(top.replacements(), 7u);
}

}  // namespace
}  // namespace edgewatch
