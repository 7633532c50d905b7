#include "core/logger.h"

#include <gtest/gtest.h>

#include <sstream>

#include "testutil/fake_clock.h"

namespace edgewatch {
namespace {

// 1800000000 s since the epoch is 2027-01-15T08:00:00Z.
TEST(LoggerTest, WritesLogfmt) {
  std::ostringstream out;
  testing::FakeClock clock;
  Logger logger(out, LogLevel::kInfo, LogFormat::kLogfmt, clock);
  logger.With("collector", "ntp").Warn("capture lost", {{"err", "No such device"}, {"n", "3"}});
  logger.Debug("hidden");
  logger.Info("quote\"and=sign", {{"empty", ""}});
  EXPECT_EQ(out.str(),
            "ts=2027-01-15T08:00:00.000Z level=warn collector=ntp msg=\"capture lost\" "
            "err=\"No such device\" n=3\n"
            "ts=2027-01-15T08:00:00.000Z level=info msg=\"quote\\\"and=sign\" empty=\"\"\n");
}

TEST(LoggerTest, WritesJson) {
  std::ostringstream out;
  testing::FakeClock clock;
  Logger logger(out, LogLevel::kDebug, LogFormat::kJson, clock);
  logger.With("collector", "bgp").Debug("line\nbreak", {{"path", "C:\\x"}});
  EXPECT_EQ(out.str(),
            "{\"ts\":\"2027-01-15T08:00:00.000Z\",\"level\":\"debug\",\"collector\":\"bgp\","
            "\"msg\":\"line\\nbreak\",\"path\":\"C:\\\\x\"}\n");
}

TEST(LoggerTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("WARN"), std::nullopt);
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("text"), std::nullopt);
}

}  // namespace
}  // namespace edgewatch
