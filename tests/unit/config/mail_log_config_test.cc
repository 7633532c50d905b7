#include "config/mail_log_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::Problems;
using testing::Sections;
using testing::TestData;

TEST(MailLogConfigTest, MailLogRules) {
  const std::string path = TestData("config/mail_log_errors.yml");
  auto config = LoadConfigFile(path, Sections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            path + ":7:13: mail_log.logs[0].name: duplicate log name \"web\"\n" + path +
                ":9:7: mail_log.logs[1].name: every log needs a name (the log label)\n" + path +
                ":10:28: mail_log.rbls[1]: expected a DNS list name such as zen.spamhaus.org, "
                "got \"bad list!\"\n" +
                path + ":11:20: mail_log.snowshoe_window: must be greater than 0s");
}

}  // namespace
}  // namespace edgewatch
