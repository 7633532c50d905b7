#include "config/process_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"

namespace edgewatch {
namespace {

TEST(ProcessConfigTest, OnByDefaultAndOnlyEnabled) {
  EXPECT_TRUE(Config().Section<ProcessConfig>().enabled);
  auto off = ParseConfig("process:\n  enabled: false\n", "p.yml", testing::Sections());
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->Section<ProcessConfig>().enabled);
  auto bad = ParseConfig("process:\n  interval: 1s\n", "p.yml", testing::Sections());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "p.yml:2:3: process.interval: unknown key; valid keys here: enabled");
}

}  // namespace
}  // namespace edgewatch
