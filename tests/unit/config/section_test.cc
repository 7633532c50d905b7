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
  std::vector<std::optional<JournalLogConfig>> journals;
  FollowConfig follow;
};

void ReadPing(MapReader& m, PingConfig& c, ConfigContext& context) {
  m.Bool("enabled", c.enabled);
  m.Value("interval", c.interval, PositiveDuration);
  m.ListOfSections("logs", [&](MapReader& l) {
    std::string name, path;
    std::optional<JournalLogConfig> journal;
    ReadLogEntry(l, context.logs, name, path, journal);
    c.logs.push_back(name);
    c.journals.push_back(journal);
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
            "t.yml:9:7: ping.logs[3].path: every log needs a path (a file or a glob) or a "
            "journal");
}

TEST(ConfigSectionTest, ALogReadsFilesOrTheJournal) {
  auto c = ParseConfig(
      "ping:\n  logs:\n    - name: mail\n      journal:\n        identifiers: [postfix*, exim4]\n"
      "        units: [dovecot.service]\n        cursor_file: /var/lib/x/mail.cursor\n"
      "    - name: all\n      journal: {}\n    - name: file\n      path: /var/log/mail.log\n",
      "t.yml", kSections);
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& journals = c->Section<PingConfig>().journals;
  ASSERT_EQ(journals.size(), 3u);
  ASSERT_TRUE(journals[0].has_value());
  EXPECT_EQ(journals[0]->identifiers, (std::vector<std::string>{"postfix*", "exim4"}));
  EXPECT_EQ(journals[0]->units, (std::vector<std::string>{"dovecot.service"}));
  EXPECT_EQ(journals[0]->cursor_file, "/var/lib/x/mail.cursor");
  EXPECT_EQ(journals[0]->directory, "");
  ASSERT_TRUE(journals[1].has_value());  // the whole journal
  EXPECT_TRUE(journals[1]->identifiers.empty() && journals[1]->units.empty());
  EXPECT_FALSE(journals[2].has_value());

  auto bad = ParseConfig(
      "ping:\n  logs:\n    - name: both\n      path: /a\n      journal: {}\n"
      "    - name: eq\n      journal:\n        identifiers: [SYSLOG_IDENTIFIER=postfix]\n"
      "        unit: [x]\n",
      "t.yml", kSections);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "t.yml:5:16: ping.logs[0].journal: a log reads either files (path) or the journal, "
            "not both\n"
            "t.yml:8:23: ping.logs[1].journal.identifiers[0]: expected a value or a glob such as "
            "postfix*, got \"SYSLOG_IDENTIFIER=postfix\"\n"
            "t.yml:9:9: ping.logs[1].journal.unit: unknown key; valid keys here: identifiers, "
            "units, directory, cursor_file");
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
