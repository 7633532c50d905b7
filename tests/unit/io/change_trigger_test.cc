#include "io/change_trigger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testutil/fake_clock.h"
#include "testutil/temp_dir.h"

namespace edgewatch::io {
namespace {

namespace fs = std::filesystem;
using V = std::vector<std::string>;

class ChangeTriggerTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.File(name); }
  static void Append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app | std::ios::binary) << text;
  }

  testing::TempDir dir_{
      "trigger-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())};
  std::string dir_path_ = fs::path(Path("x")).parent_path().string();
  testing::FakeClock clock_;
};

// Real inotify on a temporary directory: events are queued by the writes themselves, so each
// Wait() below returns at once.
TEST_F(ChangeTriggerTest, NamesWrittenFilesAndOtherwiseEverything) {
  ChangeTrigger trigger({dir_path_}, std::chrono::hours(1), clock_);
  EXPECT_EQ(trigger.WrittenOnly(), nullptr);
  Append(Path("a.log"), "created\n");
  Append(Path("b.log"), "created\n");
  ASSERT_TRUE(trigger.Wait());
  EXPECT_EQ(trigger.WrittenOnly(), nullptr);  // the first round, and files were created

  Append(Path("b.log"), "x\n");
  Append(Path("a.log"), "x\n");
  ASSERT_TRUE(trigger.Wait());
  ASSERT_NE(trigger.WrittenOnly(), nullptr);
  EXPECT_EQ(*trigger.WrittenOnly(), (V{Path("a.log"), Path("b.log")}));

  fs::rename(Path("a.log"), Path("a.log.1"));
  ASSERT_TRUE(trigger.Wait());
  EXPECT_EQ(trigger.WrittenOnly(), nullptr);

  // Writes alone, but a whole interval since everything was last read: everything again.
  clock_.Advance(std::chrono::hours(1));
  Append(Path("b.log"), "x\n");
  ASSERT_TRUE(trigger.Wait());
  EXPECT_EQ(trigger.WrittenOnly(), nullptr);
  Append(Path("b.log"), "x\n");
  ASSERT_TRUE(trigger.Wait());
  ASSERT_NE(trigger.WrittenOnly(), nullptr);
  EXPECT_EQ(*trigger.WrittenOnly(), V{Path("b.log")});
}

TEST_F(ChangeTriggerTest, NamesFilesUnderEverySpellingOfADirectory) {
  const std::string dot = dir_path_ + "/.";  // the same directory: one inotify watch
  ChangeTrigger trigger({dir_path_, dot}, std::chrono::hours(1), clock_);
  Append(Path("a.log"), "created\n");
  ASSERT_TRUE(trigger.Wait());
  Append(Path("a.log"), "x\n");
  ASSERT_TRUE(trigger.Wait());
  ASSERT_NE(trigger.WrittenOnly(), nullptr);
  EXPECT_EQ(*trigger.WrittenOnly(), (V{dot + "/a.log", Path("a.log")}));
}

TEST_F(ChangeTriggerTest, StopEndsWaiting) {
  ChangeTrigger trigger({"/nonexistent-dir"}, std::chrono::hours(1), clock_);
  trigger.Stop();
  EXPECT_FALSE(trigger.Wait());
  EXPECT_FALSE(trigger.Wait());
}

}  // namespace
}  // namespace edgewatch::io
