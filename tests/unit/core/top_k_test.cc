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
  std::vector<std::pair<int, std::uint64_t>> out;
  s.AppendTo(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (std::pair<int, std::uint64_t>{1, 17}));
  EXPECT_EQ(out[1], (std::pair<int, std::uint64_t>{2, 5}));
}

TEST(SpaceSavingTest, HeavyHitterSurvivesAFloodOfDistinctKeys) {
  SpaceSaving<int> s(8);
  for (int i = 0; i < 100000; ++i) {
    s.Add(1000 + i, 1);  // a million-address flood, one packet each
    if (i % 10 == 0) {
      s.Add(7, 100);  // the real target
    }
  }
  std::vector<std::pair<int, std::uint64_t>> out;
  s.AppendTo(out);
  EXPECT_EQ(out.size(), 8u);  // never more than the capacity
  const auto it = std::find_if(out.begin(), out.end(), [](const auto& p) { return p.first == 7; });
  ASSERT_NE(it, out.end());
  EXPECT_GE(it->second, 10000u * 100u);  // never under-estimated
}

TEST(WindowedTopKTest, ReportsLargestFirstAndForgetsOldWindows) {
  WindowedTopK<int> top(16, 60 * kSecond);
  top.Add(0, 1, 100);
  top.Add(kSecond, 2, 300);
  top.Add(2 * kSecond, 3, 200);
  auto now = top.Top(3 * kSecond, 2);
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0], (std::pair<int, std::uint64_t>{2, 300}));
  EXPECT_EQ(now[1], (std::pair<int, std::uint64_t>{3, 200}));
  // 40 s later (next half-window) the earlier half is still in the window.
  top.Add(40 * kSecond, 1, 250);
  now = top.Top(40 * kSecond, 3);
  EXPECT_EQ(now[0], (std::pair<int, std::uint64_t>{1, 350}));
  // Two half-windows later the first half is gone; after a long silence, everything is.
  now = top.Top(61 * kSecond, 3);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0], (std::pair<int, std::uint64_t>{1, 250}));
  EXPECT_TRUE(top.Top(600 * kSecond, 3).empty());
}

}  // namespace
}  // namespace edgewatch
