#include "config/section.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace edgewatch {
namespace {

// A section of a test's own: how a collector's section plugs into the decoder.
struct PingConfig {
  static constexpr std::string_view kKey = "ping";
  bool enabled = true;
  std::chrono::milliseconds interval{std::chrono::seconds(1)};
  std::vector<std::string> logs;
  FollowConfig follow;
};

void ReadPing(MapReader& m, PingConfig& c, ConfigContext& context) {
  m.Bool("enabled", c.enabled);
  m.Value("interval", c.interval, PositiveDuration);
  m.ListOfSections("logs", [&](MapReader& l) {
    std::string name, path;
    ReadLogEntry(l, context.logs, name, path);
    c.logs.push_back(name);
  });
  ReadFollow(m, c.follow);
}

const ConfigSection kPing = SectionOf<PingConfig, &ReadPing>("  interval: 5s\n");
const ConfigSection* const kSections[] = {&kPing};

TEST(ConfigSectionTest, DecodesARegisteredSectionWithItsDefaults) {
  auto c = ParseConfig("ping:\n  interval: 2s\n  poll_interval: 3s\n", "t.yml", kSections);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->Section<PingConfig>().interval, std::chrono::seconds(2));
  EXPECT_EQ(c->Section<PingConfig>().follow.poll_interval, std::chrono::seconds(3));
  EXPECT_TRUE(c->Section<PingConfig>().enabled);
  // The embedded default is what the sections add.
  EXPECT_EQ(
      EmbeddedDefaultConfig(kSections).substr(EmbeddedDefaultConfig(kSections).find('\n') + 1),
      "ping:\n  interval: 5s\n");
  EXPECT_EQ(DefaultConfig(kSections).Section<PingConfig>().interval, std::chrono::seconds(5));
  // A key of a section that is not registered is unknown.
  auto other = ParseConfig("bgp:\n  enabled: false\n", "t.yml", kSections);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message, "t.yml:1:1: bgp: unknown key; valid keys here: global, ping");
}

TEST(ConfigSectionTest, SharedReadersCheckTheirValues) {
  EXPECT_FALSE(PositiveDuration("0s").ok());
  EXPECT_EQ(PositiveDuration("0s").error().message, "must be greater than 0s");
  EXPECT_EQ(*PositiveDuration("1m"), std::chrono::minutes(1));
  auto c = ParseConfig(
      "ping:\n  max_line_length: 10\n  logs:\n    - name: a\n      path: /a\n    - name: a\n"
      "      path: /b\n    - path: /c\n    - name: d\n",
      "t.yml", kSections);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "t.yml:2:20: ping.max_line_length: expected a whole number from 256 to 16777216, got "
            "\"10\"\n"
            "t.yml:6:13: ping.logs[1].name: duplicate log name \"a\"\n"
            "t.yml:8:7: ping.logs[2].name: every log needs a name (the log label)\n"
            "t.yml:9:7: ping.logs[3].path: every log needs a path (a file or a glob)");
}

TEST(ConfigSectionTest, MutableMakesAMissingSectionWithItsDefaults) {
  Config c;
  EXPECT_EQ(c.Section<PingConfig>().interval, std::chrono::seconds(1));
  c.Mutable<PingConfig>().interval = std::chrono::seconds(9);
  const Config copy = c;
  c.Mutable<PingConfig>().interval = std::chrono::seconds(1);
  EXPECT_EQ(copy.Section<PingConfig>().interval, std::chrono::seconds(9));  // copies are apart
}

}  // namespace
}  // namespace edgewatch
