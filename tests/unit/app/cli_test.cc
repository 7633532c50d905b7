#include "app/cli.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

Expected<CliOptions> Parse(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> argv = {"edgewatch"};
  argv.insert(argv.end(), args);
  return ParseCli(argv, AllCollectors());
}

TEST(CliTest, DefaultsToServe) {
  auto o = Parse({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kServe);
  EXPECT_FALSE(o->config_file.has_value());
  EXPECT_TRUE(o->listen_addresses.empty());
  EXPECT_EQ(o->telemetry_path, "/metrics");
  EXPECT_EQ(o->log_level, LogLevel::kInfo);
  EXPECT_EQ(o->log_format, LogFormat::kLogfmt);
  EXPECT_EQ(o->procfs_root, "/proc");
}

TEST(CliTest, ReadsFlagsInBothForms) {
  auto o = Parse({"--config.file=/etc/edgewatch.yml", "--web.listen-address", "127.0.0.1:0",
                  "--web.listen-address=[::1]:9", "--web.telemetry-path=/m", "--log.level=debug",
                  "--log.format", "json", "--no-collector.process", "--web.config.file=w.yml",
                  "--path.procfs=/host/proc", "--web.max-connections=8", "--web.max-requests=0"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(*o->config_file, "/etc/edgewatch.yml");
  EXPECT_EQ(o->listen_addresses, (std::vector<std::string>{"127.0.0.1:0", "[::1]:9"}));
  EXPECT_EQ(o->telemetry_path, "/m");
  EXPECT_EQ(o->log_level, LogLevel::kDebug);
  EXPECT_EQ(o->log_format, LogFormat::kJson);
  EXPECT_EQ(o->collector_overrides.at("process"), false);
  EXPECT_EQ(*o->web_config_file, "w.yml");
  EXPECT_EQ(o->procfs_root, "/host/proc");
  EXPECT_EQ(o->max_connections, 8u);
  EXPECT_EQ(o->max_requests, 0u);
}

// As node_exporter: with --collector.disable-defaults only the collectors named run.
TEST(CliTest, DisableDefaultsLeavesOnlyTheNamedCollectors) {
  auto o = Parse({"--collector.access_log", "--collector.disable-defaults", "--collector.bgp"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  for (const auto& r : AllCollectors()) {
    const bool named = r.name == "access_log" || r.name == "bgp";
    EXPECT_EQ(o->collector_overrides.at(std::string(r.name)), named) << r.name;
  }
  EXPECT_TRUE(Parse({})->collector_overrides.empty());  // without it, the config decides
}

TEST(CliTest, DisableExporterMetrics) {
  auto o = Parse({"--web.disable-exporter-metrics"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_FALSE(o->exporter_metrics);
  EXPECT_EQ(o->collector_overrides.at("process"), false);
  EXPECT_TRUE(Parse({})->exporter_metrics);
  EXPECT_EQ(Parse({"--web.disable-exporter-metrics", "--collector.process"}).error().message,
            "--collector.process and --web.disable-exporter-metrics contradict each other");
}

TEST(CliTest, Commands) {
  EXPECT_EQ(Parse({"--config.check", "--config.file=x"})->command, Command::kCheckConfig);
  auto check = Parse({"check-config", "a.yml"});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->command, Command::kCheckConfig);
  EXPECT_EQ(*check->config_file, "a.yml");
  EXPECT_EQ(Parse({"--version"})->command, Command::kVersion);
  EXPECT_EQ(Parse({"-h"})->command, Command::kHelp);
  auto replay = Parse({"replay", "--pcap", "a.pcap", "--access-log=b.log", "--pcap=c.pcap"});
  ASSERT_TRUE(replay.ok()) << replay.error().message;
  EXPECT_EQ(replay->command, Command::kReplay);
  ASSERT_EQ(replay->replay_inputs.size(), 3u);
  EXPECT_EQ(replay->replay_inputs[0].first, "reflection");
  EXPECT_EQ(replay->replay_inputs[1].first, "access_log");
  EXPECT_EQ(replay->replay_inputs[1].second, "b.log");
  EXPECT_EQ(replay->replay_inputs[2].second, "c.pcap");
}

TEST(CliTest, ErrorsAreExact) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"--web.listen-adress=:1"}, "unknown flag --web.listen-adress"},
      {{"--collector.nope"}, "unknown collector flag --collector.nope"},
      {{"--log.level=trace"}, "--log.level must be one of debug, info, warn, error; got \"trace\""},
      {{"--log.format=text"}, "--log.format must be logfmt or json; got \"text\""},
      {{"--web.listen-address=10123"},
       "--web.listen-address: expected a listen address such as :10123, 127.0.0.1:10123 or "
       "[::1]:10123, got \"10123\""},
      {{"--web.telemetry-path=metrics"},
       "--web.telemetry-path must start with / and not be / or under /-/; got \"metrics\""},
      {{"--web.max-connections=0"}, "--web.max-connections must be a positive number; got \"0\""},
      {{"--web.max-requests=-1"}, "--web.max-requests must be a number; got \"-1\""},
      {{"--config.file"}, "flag --config.file needs a value"},
      {{"serve"}, "unknown command \"serve\" (commands: check-config, replay)"},
      {{"replay"},
       "replay needs at least one --pcap, --mod-status, --access-log, --mail-log or "
       "--flow-pcap"},
      {{"--pcap=x.pcap"},
       "--pcap, --mod-status, --access-log, --mail-log and --flow-pcap belong "
       "to the replay command"},
      {{"replay", "--pcap"}, "flag --pcap needs a value"},
      {{"check-config", "a", "b"}, "check-config takes one FILE"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string_view> argv = {"edgewatch"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto o = ParseCli(argv, AllCollectors());
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_EQ(o.error().message, message);
  }
}

TEST(CliTest, HelpListsEveryFlagWithDefaults) {
  const std::string help = HelpText(AllCollectors());
  for (const char* expected :
       {"--config.file=VALUE", "--web.listen-address=VALUE", "(default: :10123)",
        "--web.telemetry-path=VALUE", "(default: /metrics)", "--web.config.file=VALUE",
        "--log.level=VALUE", "(default: info)", "--log.format=VALUE", "(default: logfmt)",
        "--collector.NAME / --no-collector.NAME", "--version", "--config.check",
        "process: ", "--pcap=VALUE\n      a pcap or pcapng capture, for the reflection collector",
        "--mail-log=VALUE\n      a mail log, for the mail_log collector"}) {
    EXPECT_NE(help.find(expected), std::string::npos) << expected;
  }
}

// The manual page is printed from the same table: every flag --help names is in it, in troff's
// spelling ("\-" for each hyphen), with its default, and no line starts a request by accident.
TEST(CliTest, ManPageHasEveryFlagOfTheHelp) {
  const std::string help = HelpText(AllCollectors());
  const std::string man = ManPage(AllCollectors(), "1.2.3");
  EXPECT_TRUE(man.starts_with(".TH EDGEWATCH 1 \"\" \"edgewatch 1.2.3\""));
  const auto roff = [](std::string_view text) {
    std::string out;
    for (const char c : text) {
      out += c == '-' ? std::string("\\-") : std::string(1, c);
    }
    return out;
  };
  std::size_t flags = 0;
  for (std::size_t at = help.find("\n  --"); at != std::string::npos;
       at = help.find("\n  --", at + 1)) {
    const std::string_view line(help.data() + at + 3, help.find('\n', at + 1) - at - 3);
    const std::string_view name = line.substr(0, line.find_first_of("=/ "));
    if (name == "--collector.NAME") {
      continue;  // NAME in italics: below
    }
    EXPECT_NE(man.find("\\fB" + roff(name) + "\\fR"), std::string::npos) << name;
    ++flags;
  }
  EXPECT_GT(flags, 15u);
  EXPECT_NE(man.find("(default: :10123)"), std::string::npos);
  EXPECT_NE(man.find("\\fB\\-\\-collector.\\fR\\fINAME\\fR"), std::string::npos);
  for (std::size_t at = man.find('\n'); at != std::string::npos; at = man.find('\n', at + 1)) {
    if (at + 1 < man.size() && man[at + 1] == '.') {
      const std::string_view request(man.data() + at + 2, 2);
      EXPECT_TRUE(request == "TH" || request == "SH" || request == "TP" || request == "PP" ||
                  request == "B " || request == "br")
          << man.substr(at + 1, 40);
    }
  }
}

}  // namespace
}  // namespace edgewatch
