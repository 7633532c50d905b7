#include "collectors/mail_log_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testutil/exposition.h"
#include "testutil/fake_clock.h"
#include "testutil/step_trigger.h"
#include "testutil/temp_dir.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

double Value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  EXPECT_NE(at, std::string::npos) << series;
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

class MailLogCollectorTest : public ::testing::Test {
 protected:
  std::string Replay(const std::string& file) {
    return ReplayPath(testing::TestData("mail_log/" + file));
  }

  std::string ReplayPath(const std::string& path) {
    MailLogCollector c(MailLogConfig{}, clock_,
                       Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_));
    EXPECT_TRUE(c.Replay(path).ok());
    return testing::Exposition(c);
  }

  std::ostringstream log_;
  testing::FakeClock clock_;
};

// Expected values: the numbers in tests/testdata/mail_log/make_incident.py's docstring.
TEST_F(MailLogCollectorTest, SnowshoeMovesTheIndicatorsAndNormalTrafficDoesNot) {
  const std::string snow = Replay("snowshoe.log");
  const std::string l = "{log=\"snowshoe.log\"";
  EXPECT_EQ(Value(snow, "edgewatch_mail_connections_total" + l + ",service=\"smtpd\"}"), 628);
  EXPECT_EQ(Value(snow, "edgewatch_mail_messages_accepted_total" + l + ",service=\"smtpd\"}"), 600);
  EXPECT_EQ(Value(snow, "edgewatch_mail_rejects_total" + l + ",stage=\"rcpt\",reason=\"rbl\"}"),
            28);
  EXPECT_EQ(Value(snow, "edgewatch_mail_rbl_rejects_total" + l + ",rbl=\"zen.spamhaus.org\"}"), 20);
  EXPECT_EQ(Value(snow, "edgewatch_mail_rbl_rejects_total" + l + ",rbl=\"bl.spamcop.net\"}"), 5);
  EXPECT_EQ(Value(snow, "edgewatch_mail_rbl_rejects_total" + l + ",rbl=\"other\"}"), 3);
  EXPECT_EQ(Value(snow, "edgewatch_mail_postscreen_total" + l + ",result=\"pass_new\"}"), 600);
  EXPECT_EQ(Value(snow, "edgewatch_mail_filter_verdicts_total" + l +
                            ",filter=\"amavis\",verdict=\"clean\",action=\"passed\"}"),
            540);
  EXPECT_EQ(Value(snow, "edgewatch_mail_filter_verdicts_total" + l +
                            ",filter=\"amavis\",verdict=\"spam\",action=\"tagged\"}"),
            60);
  EXPECT_EQ(Value(snow, "edgewatch_mail_deliveries_total" + l + ",status=\"sent\"}"), 600);
  EXPECT_EQ(Value(snow, "edgewatch_mail_unparsed_lines_total" + l + "}"), 0);
  // HyperLogLog estimates: within 3% of 328 networks and 600 domains.
  EXPECT_NEAR(Value(snow, "edgewatch_mail_distinct_client_networks" + l + ",family=\"ipv4\"}"), 328,
              10);
  EXPECT_NEAR(Value(snow, "edgewatch_mail_distinct_sender_domains" + l + "}"), 600, 18);
  EXPECT_EQ(Value(snow, "edgewatch_mail_window_messages" + l + "}"), 600);
  EXPECT_NEAR(Value(snow, "edgewatch_mail_messages_per_client_network" + l + "}"), 600.0 / 328,
              0.06);

  const std::string normal = Replay("normal.log");
  const std::string n = "{log=\"normal.log\"";
  EXPECT_EQ(Value(normal, "edgewatch_mail_connections_total" + n + ",service=\"smtpd\"}"), 600);
  EXPECT_EQ(Value(normal, "edgewatch_mail_distinct_client_networks" + n + ",family=\"ipv4\"}"), 3);
  EXPECT_EQ(Value(normal, "edgewatch_mail_distinct_client_networks" + n + ",family=\"ipv6\"}"), 0);
  EXPECT_EQ(Value(normal, "edgewatch_mail_distinct_sender_domains" + n + "}"), 10);
  EXPECT_NEAR(Value(normal, "edgewatch_mail_messages_per_client_network" + n + "}"), 200, 1);
}

TEST_F(MailLogCollectorTest, CorpusLogWithReinjectionAndUnparsedLines) {
  // Numbers: the corpus README and grep (tests/unit/parsers/mail_log/mail_log_test.cc).
  const std::string t = Replay("modoboa-mail.log");
  const std::string l = "{log=\"modoboa-mail.log\"";
  EXPECT_EQ(Value(t, "edgewatch_mail_connections_total" + l + ",service=\"smtpd\"}"),
            36 - 21);  // 21 loopback
  EXPECT_EQ(Value(t, "edgewatch_mail_messages_accepted_total" + l + ",service=\"smtpd\"}"),
            20);  // proxy-accepts
  EXPECT_EQ(Value(t, "edgewatch_mail_rejects_total" + l + ",stage=\"rcpt\",reason=\"postscreen\"}"),
            6);
  EXPECT_EQ(Value(t, "edgewatch_mail_rbl_rejects_total" + l + ",rbl=\"zen.spamhaus.org\"}"), 0);
  EXPECT_EQ(Value(t, "edgewatch_log_lines_total" + l + "}"), 519);
  // The file as upstream has it, with "%(day)s" where the date goes: no syslog line at all.
  std::ifstream in(testing::TestData("mail_log/modoboa-mail.log"));
  const auto path = std::filesystem::temp_directory_path() /
                    ("modoboa-template-" + std::to_string(::getpid()) + ".log");
  {
    std::ofstream out(path);
    std::string line;
    while (std::getline(in, line)) {
      out << "%(day)s" << line.substr(6) << "\n";  // "Nov 16" -> "%(day)s"
    }
  }
  const std::string templated = ReplayPath(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(Value(templated,
                  "edgewatch_mail_unparsed_lines_total{log=\"" + path.filename().string() + "\"}"),
            519);
}

TEST_F(MailLogCollectorTest, SnowshoeWindowForgetsOldTraffic) {
  MailLogSettings settings{{}, 60'000'000'000};
  MailLogStats stats(settings);
  mail_log::Event connect;
  connect.kind = mail_log::EventKind::kConnect;
  std::vector<std::string> clients;
  for (int i = 0; i < 100; ++i) {
    clients.push_back("45.1." + std::to_string(i) + ".1");
  }
  for (const auto& c : clients) {
    connect.client = c;
    stats.Add(connect, 0);
  }
  connect.client = "::1";  // loopback: not a client network
  stats.Add(connect, 0);
  connect.client = "2001:db8:1:2::5";
  stats.Add(connect, 0);
  EXPECT_EQ(stats.connections(mail_log::SmtpService::kSmtpd), 101u);
  EXPECT_NEAR(stats.Snowshoe(1).networks_v4, 100, 2);
  EXPECT_NEAR(stats.Snowshoe(1).networks_v6, 1, 0.01);
  EXPECT_EQ(stats.Snowshoe(120'000'000'000).networks_v4, 0);  // a quiet window later
}

// Lines of `text` that start with `prefix`.
int CountLines(const std::string& text, const std::string& prefix) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    n += line.starts_with(prefix);
  }
  return n;
}

// A quiet server: every reject and verdict series the parser can produce is there at 0
// (mail_log::CanReject, CanJudge: 79 and 32, counted in mail_log_test.cc), so the
// pass-through ratio shows 0, not "No data".
// Password guessing and a busy account. The Dovecot file is crowdsec's (7 attempts, README);
// the submissions are SYNTHETIC.
TEST_F(MailLogCollectorTest, AuthFailuresAndAuthenticatedSenders) {
  const std::string dovecot = Replay("crowdsec-dovecot-logs.log");
  const std::string log = "log=\"crowdsec-dovecot-logs.log\"";
  EXPECT_EQ(Value(dovecot, "edgewatch_mail_auth_failures_total{" + log + ",service=\"dovecot\"}"),
            7);
  EXPECT_EQ(Value(dovecot, "edgewatch_mail_auth_failures_total{" + log + ",service=\"smtpd\"}"), 0);
  const testing::TempDir dir("ml-auth");
  {
    std::ofstream out(dir.File("mail.log"));
    for (int i = 0; i < 5; ++i) {
      out << "Nov 16 11:00:0" << i << " mx postfix/submission/smtpd[7]: 4F1A2B3C4" << i
          << ": client=unknown[198.51.100.7], sasl_method=LOGIN, sasl_username="
          << (i < 4 ? "Alice@Example.ORG" : "bob@example.org") << "\n";
      out << "Nov 16 11:00:0" << i << " mx postfix/smtpd[8]: warning: unknown[203.0.113." << 40 + i
          << "]: SASL LOGIN authentication failed: authentication failure\n";
    }
  }
  const std::string t = ReplayPath(dir.File("mail.log"));
  EXPECT_EQ(Value(t, "edgewatch_mail_auth_failures_total{log=\"mail.log\",service=\"smtpd\"}"), 5);
  EXPECT_EQ(Value(t,
                  "edgewatch_mail_top_auth_failure_network_attempts{log=\"mail.log\","
                  "network=\"203.0.113.0/24\"}"),
            5);
  EXPECT_EQ(Value(t,
                  "edgewatch_mail_top_sasl_sender_messages{log=\"mail.log\","
                  "user=\"alice@example.org\"}"),
            4);
  EXPECT_EQ(Value(t,
                  "edgewatch_mail_top_sasl_sender_messages{log=\"mail.log\","
                  "user=\"bob@example.org\"}"),
            1);
  EXPECT_EQ(Value(t, "edgewatch_mail_top_sasl_sender_error_messages{log=\"mail.log\"}"), 0);
}

TEST_F(MailLogCollectorTest, QuietLogHasItsSeriesAtZero) {
  const testing::TempDir dir("ml-quiet");
  std::ofstream(dir.File("quiet.log")) << "";
  const std::string t = ReplayPath(dir.File("quiet.log"));
  EXPECT_EQ(CountLines(t, "edgewatch_mail_rejects_total{"), 79);
  EXPECT_EQ(CountLines(t, "edgewatch_mail_filter_verdicts_total{"), 32);
  std::istringstream in(t);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("edgewatch_mail_rejects_total{") ||
        line.starts_with("edgewatch_mail_filter_verdicts_total{")) {
      EXPECT_TRUE(line.ends_with("} 0")) << line;
    }
  }
  EXPECT_THAT(t, HasSubstr("# HELP edgewatch_mail_filter_verdicts_total "));
  EXPECT_EQ(Value(t,
                  "edgewatch_mail_filter_verdicts_total{log=\"quiet.log\",filter=\"amavis\","
                  "verdict=\"clean\",action=\"passed\"}"),
            0);
  EXPECT_EQ(
      Value(t, "edgewatch_mail_rejects_total{log=\"quiet.log\",stage=\"rcpt\",reason=\"rbl\"}"), 0);
  EXPECT_THAT(t, Not(HasSubstr("stage=\"header\",reason=\"rbl\"")));
}

TEST_F(MailLogCollectorTest, SetLogsKeepsTheStateOfLogsThatStay) {
  const testing::TempDir dir("ml-set");
  const auto mail = dir.File("mail.log");
  const auto added = dir.File("added.log");
  std::ofstream(mail) << "";
  std::ofstream(added) << "";
  const std::string connect =
      "Nov 16 10:00:00 mx postfix/smtpd[1]: connect from unknown[192.0.2.7]\n";
  MailLogConfig config;
  config.logs.push_back({"mail", mail});
  auto trigger = std::make_unique<testing::StepTrigger>();
  testing::StepTrigger* step = trigger.get();
  MailLogCollector c(config, clock_, Logger(log_, LogLevel::kInfo, LogFormat::kLogfmt, clock_),
                     std::move(trigger));
  ASSERT_TRUE(c.Start().ok());
  step->AwaitFirstRound();
  std::ofstream(mail, std::ios::app) << connect;
  step->Step();
  std::ofstream(mail, std::ios::app) << connect;  // written before the reload, read after it
  c.SetLogs({{"added", added}, {"mail", mail}});
  std::ofstream(added, std::ios::app) << connect;  // before its first round: skipped, as at start
  step->Step();
  std::ofstream(added, std::ios::app) << connect;
  step->Step();
  const std::string t = testing::Exposition(c);
  EXPECT_EQ(Value(t, "edgewatch_mail_connections_total{log=\"mail\",service=\"smtpd\"}"), 2);
  EXPECT_EQ(Value(t, "edgewatch_mail_connections_total{log=\"added\",service=\"smtpd\"}"), 1);
  c.Stop();
}

}  // namespace
}  // namespace edgewatch
