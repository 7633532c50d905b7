#include "io/proc_files.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/temp_dir.h"

namespace edgewatch::io {
namespace {

TEST(ProcFilesTest, ReadsFilesOfSizeZeroToTheirEnd) {
  // /proc files report size 0; their content is there all the same.
  const auto stat = ReadSmallFile("/proc/self/stat");
  ASSERT_TRUE(stat.ok()) << stat.error().message;
  EXPECT_GT(stat->size(), 20u);
  const testing::TempDir dir("proc-files");
  std::ofstream(dir.File("big")) << std::string(5000, 'x');
  const auto cut = ReadSmallFile(dir.File("big"), 100);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->size(), 100u);
  EXPECT_FALSE(ReadSmallFile(dir.File("missing")).ok());
}

TEST(ProcFilesTest, ListsAndCountsDirectories) {
  const testing::TempDir dir("proc-list");
  for (const char* name : {"a", "b", "c"}) {
    std::ofstream(dir.File(name)) << "";
  }
  const auto names = ListDirectory(dir.File(""));
  ASSERT_TRUE(names.ok()) << names.error().message;
  auto sorted = *names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*CountDirectoryEntries(dir.File("")), 3u);
  EXPECT_FALSE(CountDirectoryEntries(dir.File("missing")).ok());
  EXPECT_GT(ClockTicksPerSecond(), 0);
  EXPECT_GT(PageSizeBytes(), 0);
}

}  // namespace
}  // namespace edgewatch::io
