#include "collectors/mail_log_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgewatch {
namespace {

using mail_log::Event;
using mail_log::EventKind;

constexpr std::int64_t kSecond = 1'000'000'000;

Event Ev(EventKind kind, std::string_view client = "", std::string_view sender = "") {
  Event e;
  e.kind = kind;
  e.client = client;
  e.sender = sender;
  return e;
}

MailLogSettings Settings() {
  MailLogSettings s;
  s.rbls = {"zen.spamhaus.org"};
  s.window_ns = 3600 * kSecond;
  return s;
}

TEST(MailLogStatsTest, LoopbackReinjectionIsNotTrafficFromOtherHosts) {
  MailLogStats stats(Settings());
  stats.Add(Ev(EventKind::kConnect, "203.0.113.5"), 0);
  stats.Add(Ev(EventKind::kConnect, "127.0.0.1"), 0);
  stats.Add(Ev(EventKind::kConnect, "::1"), 0);
  stats.Add(Ev(EventKind::kAccepted, "203.0.113.5"), 0);
  stats.Add(Ev(EventKind::kAccepted, "127.0.0.1"), 0);
  EXPECT_EQ(stats.connections(mail_log::SmtpService::kSmtpd), 1u);
  EXPECT_EQ(stats.accepted(mail_log::SmtpService::kSmtpd), 1u);
  EXPECT_EQ(stats.Snowshoe(kSecond).messages, 1u);
}

// Customers sending through submission come from their own many networks: counted apart, and
// not the snowshoe indicators' inbound traffic.
TEST(MailLogStatsTest, SubmissionIsKeptApartFromTheMx) {
  MailLogStats stats(Settings());
  for (int i = 0; i < 50; ++i) {
    const std::string client = "198.51." + std::to_string(i) + ".7";  // outlives the view
    Event e = Ev(EventKind::kConnect, client);
    e.smtp_service = mail_log::SmtpService::kSubmission;
    stats.Add(e, 0);
    e.kind = EventKind::kAccepted;
    stats.Add(e, 0);
  }
  stats.Add(Ev(EventKind::kConnect, "203.0.113.5"), 0);
  EXPECT_EQ(stats.connections(mail_log::SmtpService::kSubmission), 50u);
  EXPECT_EQ(stats.accepted(mail_log::SmtpService::kSubmission), 50u);
  EXPECT_EQ(stats.connections(mail_log::SmtpService::kSmtpd), 1u);
  const SnowshoeView v = stats.Snowshoe(kSecond);
  EXPECT_NEAR(v.networks_v4, 1, 0.01);  // HyperLogLog
  EXPECT_EQ(v.messages, 0u);
}

// Exim logs no connection unless +smtp_connection: its arrivals name the client network and
// the sender, which count once however often Postfix's connect and accept name them both.
TEST(MailLogStatsTest, ArrivalsFeedTheSnowshoeIndicatorsWithoutConnects) {
  MailLogStats stats(Settings());
  std::vector<std::string> clients;  // outlive the views
  for (int i = 0; i < 30; ++i) {
    clients.push_back("192.0." + std::to_string(i) + ".9");
  }
  for (int i = 0; i < 30; ++i) {
    const std::string sender = "x@d" + std::to_string(i % 10) + ".example";
    Event arrival = Ev(EventKind::kAccepted, clients[i], sender);
    arrival.arrival_names_network = true;  // Exim's
    stats.Add(arrival, 0);
  }
  stats.Add(Ev(EventKind::kConnect, clients[0]), 0);      // a network seen at connect too
  stats.Add(Ev(EventKind::kAccepted, clients[0]), 0);     // Postfix's accept: no sender
  stats.Add(Ev(EventKind::kAccepted, "203.0.113.1"), 0);  // its network was seen at connect
  const SnowshoeView v = stats.Snowshoe(kSecond);
  EXPECT_NEAR(v.networks_v4, 30, 1);  // HyperLogLog
  EXPECT_NEAR(v.sender_domains, 10, 0.5);
  EXPECT_EQ(v.messages, 32u);
}

// Postfix names the SASL user in smtpd's line and the recipients in qmgr's, joined by the
// queue id; Exim names both on its arrival line.
TEST(MailLogStatsTest, RecipientsPerAuthenticatedSender) {
  MailLogStats stats(Settings());
  Event accepted = Ev(EventKind::kAccepted, "127.0.0.1");
  accepted.user = "Webmaster@customer.example";
  accepted.queue_id = "5A00000001";
  stats.Add(accepted, 0);
  Event qmgr = Ev(EventKind::kSender, "", "webmaster@customer.example");
  qmgr.queue_id = "5A00000001";
  qmgr.recipients = 40;
  stats.Add(qmgr, kSecond);
  stats.Add(qmgr, 2 * kSecond);  // a second line of that queue id: already joined
  Event unknown = qmgr;          // a message nobody authenticated for
  unknown.queue_id = "5B00000002";
  stats.Add(unknown, 2 * kSecond);
  Event exim = Ev(EventKind::kAccepted, "192.0.2.8");
  exim.user = "carol";
  exim.recipients = 3;
  stats.Add(exim, 3 * kSecond);
  const auto top = stats.TopSaslRecipients(4 * kSecond);
  ASSERT_EQ(top.entries.size(), 2u);
  EXPECT_EQ(top.entries[0].first.view(), "webmaster@customer.example");
  EXPECT_EQ(top.entries[0].second, 40u);
  EXPECT_EQ(top.entries[1].first.view(), "carol");
  EXPECT_EQ(top.entries[1].second, 3u);
  EXPECT_EQ(stats.TopSaslSenders(4 * kSecond).entries.size(), 2u);
}

TEST(MailLogStatsTest, RblRejectsByConfiguredListElseOther) {
  MailLogStats stats(Settings());
  Event e = Ev(EventKind::kReject, "203.0.113.5");
  e.stage = mail_log::Stage::kRcpt;
  e.reason = mail_log::Reason::kRbl;
  e.rbl = "zen.spamhaus.org";
  stats.Add(e, 0);
  e.rbl = "dnsbl.example";
  stats.Add(e, 0);
  stats.Add(e, 0);
  ASSERT_EQ(stats.rbl_rejects().size(), 2u);  // the configured list, then "other"
  EXPECT_EQ(stats.rbl_rejects()[0], 1u);
  EXPECT_EQ(stats.rbl_rejects()[1], 2u);
  EXPECT_EQ(stats.rejects(mail_log::Stage::kRcpt, mail_log::Reason::kRbl), 3u);
}

// Snowshoe: many networks, one or two messages each, sender domains changing.
TEST(MailLogStatsTest, SnowshoeIndicatorsOverTheWindow) {
  MailLogStats stats(Settings());
  for (int i = 0; i < 100; ++i) {
    const std::string client = "198.51." + std::to_string(i) + ".9";
    const std::string sender = "a@d" + std::to_string(i % 50) + ".example";
    stats.Add(Ev(EventKind::kConnect, client), i * kSecond);
    stats.Add(Ev(EventKind::kAccepted, client), i * kSecond);
    stats.Add(Ev(EventKind::kSender, "", sender), i * kSecond);
  }
  stats.Add(Ev(EventKind::kConnect, "2001:db8:1:2::9"), 0);
  const SnowshoeView v = stats.Snowshoe(200 * kSecond);
  // HyperLogLog: 1.6% standard error.
  EXPECT_NEAR(v.networks_v4, 100, 5);
  EXPECT_NEAR(v.networks_v6, 1, 0.1);
  EXPECT_NEAR(v.sender_domains, 50, 3);
  EXPECT_EQ(v.messages, 100u);
  EXPECT_NEAR(v.messages_per_network(), 100.0 / 101, 0.05);
  // Two hours later the window is empty.
  const SnowshoeView later = stats.Snowshoe(2 * 3600 * kSecond);
  EXPECT_EQ(later.messages, 0u);
  EXPECT_EQ(later.networks_v4, 0);
}

}  // namespace
}  // namespace edgewatch
