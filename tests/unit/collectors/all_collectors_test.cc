#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "collectors/registry.h"
#include "config/bgp_config.h"
#include "config/httpd_config.h"
#include "config/reflection_config.h"
#include "testutil/fake_clock.h"

namespace edgewatch {
namespace {

TEST(AllCollectorsTest, EveryRegistrationIsComplete) {
  std::set<std::string_view> names, flags;
  for (const auto& r : AllCollectors()) {
    EXPECT_TRUE(names.insert(r.name).second) << r.name;
    EXPECT_FALSE(r.description.empty()) << r.name;
    EXPECT_NE(r.enabled, nullptr) << r.name;
    EXPECT_NE(r.make, nullptr) << r.name;
    if (!r.replay.flag.empty()) {
      EXPECT_TRUE(flags.insert(r.replay.flag).second) << r.replay.flag;
      EXPECT_TRUE(r.replay.flag.starts_with("--")) << r.replay.flag;
      EXPECT_FALSE(r.replay.help.empty()) << r.name;
    }
    EXPECT_EQ(FindCollector(AllCollectors(), r.name), &r);
  }
  EXPECT_EQ(names, (std::set<std::string_view>{"process", "reflection", "httpd", "bgp",
                                               "access_log", "mail_log", "flow"}));
  EXPECT_EQ(FindCollector(AllCollectors(), "nope"), nullptr);
}

TEST(AllCollectorsTest, OverridesWinOverTheConfig) {
  Config config;
  config.Mutable<BgpConfig>().enabled = false;
  const auto& bgp = *FindCollector(AllCollectors(), "bgp");
  EXPECT_FALSE(IsEnabled(bgp, {}, config));
  EXPECT_TRUE(IsEnabled(bgp, {{"bgp", true}}, config));
  config.Mutable<BgpConfig>().enabled = true;
  EXPECT_FALSE(IsEnabled(bgp, {{"bgp", false}}, config));
}

TEST(AllCollectorsTest, MakesTheEnabledOnesInRegistryOrderWithTheirLoggers) {
  Config config;
  config.Mutable<ReflectionConfig>().enabled = false;
  config.Mutable<HttpdConfig>().enabled = false;
  testing::FakeClock clock;
  std::ostringstream log;
  const CollectorContext context{config, clock,
                                 Logger(log, LogLevel::kDebug, LogFormat::kLogfmt, clock), "/proc"};
  const auto made = MakeEnabledCollectors(AllCollectors(), {{"mail_log", false}}, context);
  std::vector<std::string> names;
  for (const auto& c : made) {
    names.push_back(c.name);
    EXPECT_NE(c.collector, nullptr);
    EXPECT_FALSE(c.running);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"process", "bgp", "access_log"}));
}

}  // namespace
}  // namespace edgewatch
