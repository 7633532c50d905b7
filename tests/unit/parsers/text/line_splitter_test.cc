#include "parsers/text/line_splitter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace edgewatch::text {
namespace {

using Lines = std::vector<std::pair<std::string, bool>>;

// Feeds `input` in pieces of `piece` bytes, then finishes.
Lines Split(const std::string& input, std::size_t max_line, std::size_t piece, bool finish = true) {
  LineSplitter splitter(max_line, piece);
  Lines out;
  auto collect = [&](std::string_view line, bool cut) { out.emplace_back(line, cut); };
  for (std::size_t at = 0; at < input.size(); at += piece) {
    const std::size_t n = std::min(piece, input.size() - at);
    std::memcpy(splitter.WriteArea().data(), input.data() + at, n);
    splitter.Commit(n, collect);
  }
  if (finish) {
    splitter.Finish(collect);
  }
  return out;
}

TEST(LineSplitterTest, SplitsAtNewlinesAndStripsCr) {
  EXPECT_EQ(Split("a\nbb\r\n\nccc", 16, 4),
            (Lines{{"a", false}, {"bb", false}, {"", false}, {"ccc", false}}));
  // A lone CR inside a line stays; only the one before the newline goes.
  EXPECT_EQ(Split("x\ry\r\n", 16, 3), (Lines{{"x\ry", false}}));
}

TEST(LineSplitterTest, KeepsTheTailUntilItsNewlineOrTheEnd) {
  EXPECT_EQ(Split("one\ntw", 16, 2, false), (Lines{{"one", false}}));
  EXPECT_EQ(Split("one\ntw", 16, 2, true), (Lines{{"one", false}, {"tw", false}}));
  LineSplitter s(16, 8);
  Lines out;
  auto collect = [&](std::string_view line, bool cut) { out.emplace_back(line, cut); };
  std::memcpy(s.WriteArea().data(), "abc", 3);
  s.Commit(3, collect);
  EXPECT_EQ(s.pending(), 3u);
  std::memcpy(s.WriteArea().data(), "d\nef", 4);
  s.Commit(4, collect);
  EXPECT_EQ(out, (Lines{{"abcd", false}}));
  EXPECT_EQ(s.pending(), 2u);
}

TEST(LineSplitterTest, CutsLongLinesAndDropsTheirRest) {
  // max_line 4: "abcdefghij" is cut to "abcd", the rest up to its newline dropped.
  for (std::size_t piece : {1u, 3u, 4u, 5u, 64u}) {
    EXPECT_EQ(Split("abcdefghij\nxy\n", 4, piece), (Lines{{"abcd", true}, {"xy", false}})) << piece;
  }
  // Exactly max_line bytes is not cut, with or without its newline in the same chunk.
  EXPECT_EQ(Split("abcd\nefgh", 4, 4), (Lines{{"abcd", false}, {"efgh", false}}));
  // A CR before the newline counts: "abcd\r" is 5 bytes.
  EXPECT_EQ(Split("abc\r\n", 4, 1), (Lines{{"abc", false}}));
  EXPECT_EQ(Split("abcd\r\n", 4, 1), (Lines{{"abcd", true}}));
  // A cut line still unterminated at the end is not handed on twice.
  EXPECT_EQ(Split("abcdefgh", 4, 2), (Lines{{"abcd", true}}));
}

TEST(LineSplitterTest, ResetForgetsTheUnfinishedLine) {
  LineSplitter s(8, 8);
  Lines out;
  auto collect = [&](std::string_view line, bool cut) { out.emplace_back(line, cut); };
  std::memcpy(s.WriteArea().data(), "partial", 7);
  s.Commit(7, collect);
  s.Reset();
  std::memcpy(s.WriteArea().data(), "new\n", 4);
  s.Commit(4, collect);
  EXPECT_EQ(out, (Lines{{"new", false}}));
}

// Against a plain reference on random input and random chunking.
TEST(LineSplitterTest, AgreesWithAReferenceSplit) {
  std::mt19937 random(7);
  const std::string alphabet = "ab\r\n\n";
  for (int round = 0; round < 500; ++round) {
    std::string input;
    const std::size_t size = random() % 200;
    for (std::size_t i = 0; i < size; ++i) {
      input.push_back(alphabet[random() % alphabet.size()]);
    }
    const std::size_t max_line = 1 + random() % 12;
    Lines expected;
    std::size_t start = 0;
    while (start < input.size()) {
      std::size_t end = input.find('\n', start);
      std::string line = input.substr(start, end == std::string::npos ? end : end - start);
      const bool cut = line.size() > max_line;
      if (cut) {
        line.resize(max_line);
      } else if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      expected.emplace_back(line, cut);
      start = end == std::string::npos ? input.size() : end + 1;
    }
    EXPECT_EQ(Split(input, max_line, 1 + random() % 16), expected) << input;
  }
}

}  // namespace
}  // namespace edgewatch::text
