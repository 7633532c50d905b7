#include "parsers/mail_log/mail_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "parsers/net/address.h"
#include "testutil/testdata.h"

namespace edgewatch::mail_log {
namespace {

struct Tally {
  int lines = 0;
  int unparsed = 0;
  std::map<EventKind, int> kinds;
  int loopback_connects = 0;
  std::map<std::string, int> postscreen;
  std::map<std::string, int> rejects;   // "stage/reason"
  std::map<std::string, int> verdicts;  // "filter/verdict/action"
  std::map<std::string, int> deliveries;
  std::vector<std::string> senders;
  std::map<std::string, int> auth_attempts;  // "service/client"
  std::vector<std::string> users;            // kAuthFailed users named
  std::vector<std::string> reject_clients;
  std::vector<std::string> rbls;
};

Tally TallyFile(const std::string& name) {
  std::ifstream in(testing::TestData("mail_log/" + name));
  EXPECT_TRUE(in.good()) << name;
  Tally t;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    ++t.lines;
    const auto s = ParseSyslog(line);
    if (!s) {
      ++t.unparsed;
      continue;
    }
    const Event e = Classify(*s);
    ++t.kinds[e.kind];
    if (e.kind == EventKind::kConnect && e.client == "127.0.0.1") {
      ++t.loopback_connects;
    }
    if (e.postscreen) {
      ++t.postscreen[PostscreenResultName(e.postscreen_result)];
    }
    if (e.kind == EventKind::kReject) {
      EXPECT_TRUE(CanReject(e.stage, e.reason)) << line;
      ++t.rejects[std::string(StageName(e.stage)) + "/" + ReasonName(e.reason)];
    }
    if (e.kind == EventKind::kFilter) {
      EXPECT_TRUE(CanJudge(e.filter, e.verdict, e.action)) << line;
      ++t.verdicts[std::string(FilterName(e.filter)) + "/" + VerdictName(e.verdict) + "/" +
                   ActionName(e.action)];
    }
    if (e.kind == EventKind::kDelivery) {
      ++t.deliveries[DeliveryName(e.delivery)];
    }
    if (e.kind == EventKind::kSender) {
      t.senders.emplace_back(e.sender);
    }
    if (e.kind == EventKind::kAuthFailed) {
      t.auth_attempts[std::string(AuthServiceName(e.auth_service)) + "/" + std::string(e.client)] +=
          static_cast<int>(e.auth_attempts);
      if (!e.user.empty()) {
        t.users.emplace_back(e.user);
      }
    }
    if (e.kind == EventKind::kReject) {
      t.reject_clients.emplace_back(e.client);
      if (e.reason == Reason::kRbl) {
        t.rbls.emplace_back(e.rbl);
      }
    }
  }
  return t;
}

using Counts = std::map<std::string, int>;

// Expected numbers: the corpus README (amavis, rejects) and independent counts with grep over
// the file (connects, postscreen, qmgr, deliveries), written here. The date template of the
// upstream file is replaced by "Nov 16" (tests/testdata/mail_log/README.md).
TEST(MailLogCorpusTest, ModoboaPostfixPostscreenAmavis) {
  const Tally t = TallyFile("modoboa-mail.log");
  EXPECT_EQ(t.lines, 519);
  EXPECT_EQ(t.unparsed, 0);
  EXPECT_EQ(t.kinds.at(EventKind::kConnect), 36);
  EXPECT_EQ(t.loopback_connects, 21);
  EXPECT_EQ(t.kinds.at(EventKind::kDisconnect), 38);
  // 19 "QID: client=" lines (all re-injections from 127.0.0.1) and 20 proxy-accepts.
  EXPECT_EQ(t.kinds.at(EventKind::kAccepted), 39);
  EXPECT_EQ(t.postscreen, (Counts{{"connect", 23},
                                  {"hangup", 2},
                                  {"pass_new", 6},
                                  {"pass_old", 9},
                                  {"allowlisted", 8},
                                  {"reject", 6}}));
  // All six rejects are postscreen's "450 4.3.2 Service currently unavailable"; no RBL hit.
  EXPECT_EQ(t.rejects, (Counts{{"rcpt/postscreen", 6}}));
  EXPECT_EQ(t.verdicts, (Counts{{"amavis/clean/passed", 18}, {"amavis/spam/tagged", 2}}));
  EXPECT_EQ(t.deliveries, (Counts{{"sent", 20}, {"other", 2}}));  // 2 "deliverable" (verify)
  ASSERT_EQ(t.senders.size(), 22u);
  EXPECT_EQ(std::count(t.senders.begin(), t.senders.end(), ""), 6);  // bounces: from=<>
}

TEST(MailLogCorpusTest, CrowdsecPostfixMixedTimestamps) {
  const Tally t = TallyFile("crowdsec-postfix-logs.log");
  EXPECT_EQ(t.lines, 7);
  EXPECT_EQ(t.unparsed, 0);
  // noqueue_reject 4: one 554 without a list, one HELO, two relay-access rejects.
  EXPECT_EQ(t.rejects, (Counts{{"rcpt/other", 1}, {"rcpt/helo", 1}, {"rcpt/relay", 2}}));
}

TEST(MailLogCorpusTest, CrowdsecSpamSaslPostscreenAmavis) {
  const Tally spam = TallyFile("crowdsec-postfix-spam.log");
  EXPECT_EQ(spam.lines, 6);  // and one empty line
  EXPECT_EQ(spam.rejects, (Counts{{"rcpt/other", 2}}));
  const Tally sasl = TallyFile("crowdsec-postfix-sasl-bf.log");
  EXPECT_EQ(sasl.lines, 3);
  EXPECT_TRUE(sasl.rejects.empty());
  // grep -c 'SASL [A-Z0-9-]* authentication failed': 3, 1 and 4.
  EXPECT_EQ(sasl.auth_attempts, (Counts{{"smtpd/203.0.113.42", 3}}));
  EXPECT_EQ(TallyFile("crowdsec-postfix-logs.log").auth_attempts,
            (Counts{{"smtpd/192.168.1.1", 1}}));
  EXPECT_EQ(spam.auth_attempts, (Counts{{"smtpd/1.2.3.4", 4}}));
  const Tally postscreen = TallyFile("crowdsec-postscreen-logs.log");
  EXPECT_EQ(postscreen.lines, 2);  // the last has no newline
  EXPECT_EQ(postscreen.postscreen, (Counts{{"pregreet", 2}}));
  const Tally amavis = TallyFile("crowdsec-amavis.log");
  EXPECT_EQ(amavis.verdicts, (Counts{{"amavis/infected/blocked", 1}}));
  const Tally mailscanner = TallyFile("crowdsec-mailscanner-highscore-spam.log");
  EXPECT_EQ(mailscanner.lines, 2);
  EXPECT_TRUE(mailscanner.verdicts.empty());  // MailScanner is none of the three filters
}

// Dovecot's login summaries count their attempts; its auth-worker lines (one per attempt, the
// same failures again) and a login without attempts do not. Ground truth in the README (grep).
TEST(MailLogCorpusTest, CrowdsecDovecot) {
  const Tally t = TallyFile("crowdsec-dovecot-logs.log");
  EXPECT_EQ(t.lines, 14);
  EXPECT_EQ(t.unparsed, 0);  // "Sep 8 07:46:30": an unpadded day
  EXPECT_EQ(t.auth_attempts, (Counts{{"dovecot/1.1.1.1", 1}, {"dovecot/172.17.0.1", 6}}));
}

// Exim's mainlog, from fail2ban's test suite; ground truth in the README (grep, by hand).
TEST(MailLogCorpusTest, Fail2banExim) {
  const Tally t = TallyFile("fail2ban-exim.log");
  EXPECT_EQ(t.lines, 17);
  EXPECT_EQ(t.unparsed, 0);
  EXPECT_EQ(t.kinds.at(EventKind::kNone), 4);
  EXPECT_EQ(t.auth_attempts, (Counts{{"smtpd/24.106.174.74", 1},
                                     {"smtpd/120.196.140.45", 1},
                                     {"smtpd/101.66.165.86", 1},
                                     {"smtpd/85.25.92.177", 1},
                                     {"smtpd/91.218.72.71", 1},  // HELO "([192.168.2.102])"
                                     {"smtpd/118.233.20.68", 1},
                                     {"smtpd/85.214.85.40", 1},
                                     {"smtpd/193.254.202.35", 1}}));
  EXPECT_EQ(t.users, (std::vector<std::string>{"brian", "scanner", "webmaster"}));
  EXPECT_EQ(t.rejects, (Counts{{"rcpt/relay", 1},
                               {"rcpt/sender", 1},
                               {"rcpt/unknown_user", 1},
                               {"connect/other", 1},
                               {"other/other", 1}}));
  EXPECT_EQ(t.reject_clients,
            (std::vector<std::string>{"202.132.70.178", "211.148.195.192", "82.96.160.77",
                                      "182.18.24.93", "111.67.203.116"}));
}

TEST(MailLogCorpusTest, Fail2banEximSpam) {
  const Tally t = TallyFile("fail2ban-exim-spam.log");
  EXPECT_EQ(t.lines, 6);
  EXPECT_EQ(t.unparsed, 0);
  EXPECT_EQ(t.rejects, (Counts{{"rcpt/rbl", 2}, {"data/content", 3}}));
  EXPECT_EQ(t.rbls, (std::vector<std::string>{"zen.spamhaus.org", "dnsbl.sorbs.net"}));
  EXPECT_EQ(t.reject_clients,
            (std::vector<std::string>{"4.47.28.40", "2.181.148.95", "46.254.240.82",
                                      "83.235.177.148", "111.67.203.114"}));
  EXPECT_EQ(t.verdicts, (Counts{{"spamassassin/spam/tagged", 1}}));
}

// A message's own lines: arrivals name the client, sender, account and listener; deliveries
// their outcome. The first three arrivals are quoted from other projects' Exim parsers' tests
// (formats of Exim 4.97 ids, log_timezone, an old-style id); the rest follow Exim's spec
// (chapter "Log files": the flags <=, =>, ->, ==, **).
TEST(MailLogClassifyTest, EximArrivalsAndDeliveries) {
  const auto classify = [](std::string_view line) {
    const auto s = ParseSyslog(line);
    EXPECT_TRUE(s) << line;
    return s ? Classify(*s) : Event{};
  };
  Event e = classify(
      "2026-09-13 08:03:35 1x5dJQ-00000002ksM-1pMm <= noreply@winservices.it "
      "H=ncc.transfervda.com ([127.0.0.1]) [78.47.94.167]:59324 P=esmtpsa "
      "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 A=dovecot_login:noreply@winservices.it S=23324 "
      "id=x@y for support@winservices.it");
  EXPECT_EQ(e.kind, EventKind::kAccepted);
  EXPECT_EQ(e.client, "78.47.94.167");
  EXPECT_EQ(e.sender, "noreply@winservices.it");
  EXPECT_EQ(e.user, "noreply@winservices.it");
  EXPECT_EQ(e.recipients, 1u);                          // "for support@winservices.it"
  EXPECT_EQ(e.smtp_service, SmtpService::kSubmission);  // authenticated, no I=
  const auto zoned = ParseSyslog(
      "2021-05-04 13:37:00 +0100 1gon8g-0001rZ-K0 <= mail@senderhost.tld "
      "H=mail.remotehost.tld [123.123.123.123] P=esmtpsa X=TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256 "
      "CV=no A=fixed_cram:foo K S=10258521 DKIM=remotehost.tld id=foobar@mail.remotehost.tld");
  ASSERT_TRUE(zoned);
  EXPECT_EQ(zoned->time, "2021-05-04 13:37:00 +0100");
  EXPECT_EQ(SyslogSeconds(zoned->time, 1999), 1620131820);  // 12:37:00 UTC
  EXPECT_EQ(Classify(*zoned).user, "foo");
  e = classify(
      "2014-02-11 07:03:11 1WD6R5-000DJZ-Lc <= usernm@domain.com H=host.remote.com (HeloName) "
      "[99.111.22.33] P=esmtpsa X=TLSv1:AES128-SHA:128 A=dovecot_login:usernm S=3328 "
      "id=001201cf26ee$f1c31680$d5494380$@cz");
  EXPECT_EQ(e.client, "99.111.22.33");
  EXPECT_EQ(e.user, "usernm");
  EXPECT_EQ(e.recipients, 0u);  // no +received_recipients
  // The MX: port 25 by I=, a bounce's empty sender; a submission port names its service.
  e = classify(
      "2024-03-01 10:00:00.123 [4711] 1rg0aB-000abc-Xy <= <> H=mx.example.net [192.0.2.7]:41000 "
      "I=[198.51.100.1]:25 P=esmtps S=2100");
  EXPECT_EQ(e.kind, EventKind::kAccepted);
  EXPECT_EQ(e.sender, "");
  EXPECT_EQ(e.smtp_service, SmtpService::kSmtpd);
  EXPECT_EQ(classify("2024-03-01 10:00:01 1rg0aC-000abc-Xy <= a@b.example H=(pc) "
                     "[192.0.2.8]:5000 I=[198.51.100.1]:465 P=esmtpsa A=plain:a@b.example S=9")
                .smtp_service,
            SmtpService::kSmtps);
  // A local submission (sendmail from PHP or cron) has no SMTP client.
  EXPECT_EQ(classify("2024-03-01 10:00:02 1rg0aD-000abc-Xy <= www-data@host.example "
                     "U=www-data P=local S=812")
                .kind,
            EventKind::kNone);
  for (const auto& [line, delivery] : std::vector<std::pair<std::string, Delivery>>{
           {"2024-03-01 10:00:03 1rg0aB-000abc-Xy => alice@example.org R=dnslookup "
            "T=remote_smtp H=mx.example.org [192.0.2.9] C=\"250 OK\"",
            Delivery::kSent},
           {"2024-03-01 10:00:03 1rg0aB-000abc-Xy -> bob@example.org R=dnslookup T=remote_smtp "
            "H=mx.example.org [192.0.2.9]",
            Delivery::kSent},
           {"2024-03-01 10:00:04 1rg0aB-000abc-Xy == carol@example.org R=dnslookup "
            "T=remote_smtp defer (-44): SMTP error from remote mail server after RCPT "
            "TO:<carol@example.org>: 451 4.7.1 Try again later",
            Delivery::kDeferred},
           {"2024-03-01 10:00:05 1rg0aB-000abc-Xy ** dave@example.org R=dnslookup "
            "T=remote_smtp: SMTP error from remote mail server after RCPT TO:<dave@example.org>: "
            "550 5.1.1 User unknown",
            Delivery::kBounced},
       }) {
    e = classify(line);
    EXPECT_EQ(e.kind, EventKind::kDelivery) << line;
    EXPECT_EQ(e.delivery, delivery) << line;
  }
  EXPECT_EQ(classify("2024-03-01 10:00:06 1rg0aB-000abc-Xy Completed").kind, EventKind::kNone);
  // Exim writing to syslog (log_file_path = syslog): the same messages, no time of their own.
  const auto syslog = ParseSyslog(
      "Mar  1 10:00:07 mx exim[4711]: 1rg0aE-000abc-Xy <= a@b.example H=(pc) [192.0.2.8]:5000 "
      "P=esmtpsa A=dovecot_login:a@b.example S=9");
  ASSERT_TRUE(syslog);
  EXPECT_EQ(Classify(*syslog).user, "a@b.example");
  e = classify(
      "2024-03-01 10:00:08 SMTP connection from (helo) [203.0.113.9]:40000 "
      "I=[198.51.100.1]:587 (TCP/IP connection count = 3)");
  EXPECT_EQ(e.kind, EventKind::kConnect);
  EXPECT_EQ(e.client, "203.0.113.9");
  EXPECT_EQ(e.smtp_service, SmtpService::kSubmission);
  // The end of that session is no second connection.
  EXPECT_EQ(classify("2024-03-01 10:00:09 [5328] SMTP connection from (c1.example) "
                     "[203.0.113.9] I=[198.51.100.1]:587 closed by QUIT")
                .kind,
            EventKind::kNone);
}

// Customers sending through submission are kept apart from the MX (master.cf's syslog_name).
TEST(MailLogClassifyTest, SmtpServiceFromTheSyslogName) {
  EXPECT_EQ(SmtpServiceOf("postfix/smtpd"), SmtpService::kSmtpd);
  EXPECT_EQ(SmtpServiceOf("postfix-out/smtpd"), SmtpService::kSmtpd);
  EXPECT_EQ(SmtpServiceOf("postfix/submission/smtpd"), SmtpService::kSubmission);
  EXPECT_EQ(SmtpServiceOf("postfix-out/submission/smtpd"), SmtpService::kSubmission);
  EXPECT_EQ(SmtpServiceOf("postfix/smtps/smtpd"), SmtpService::kSmtps);
  EXPECT_EQ(SmtpServiceOf("postfix/submissions/smtpd"), SmtpService::kSmtps);
  EXPECT_EQ(SmtpServiceOf("postfix/relay-in/smtpd"), SmtpService::kOther);
  const auto e = Classify(*ParseSyslog(
      "Nov 16 11:00:01 mx postfix/submission/smtpd[4711]: connect from unknown[198.51.100.7]"));
  EXPECT_EQ(e.kind, EventKind::kConnect);
  EXPECT_EQ(e.smtp_service, SmtpService::kSubmission);
}

// Accepted, then dropped: blocked verdicts, so that they stay in the pass-through denominator.
TEST(MailLogClassifyTest, Discards) {
  auto e = Classify(*ParseSyslog(
      "Nov 16 11:00:01 mx postfix/cleanup[912]: 4F1A2B3C4D: milter-discard: END-OF-MESSAGE from "
      "unknown[203.0.113.9]: milter triggers DISCARD action; from=<a@spam.example> "
      "to=<b@example.org> proto=ESMTP helo=<x>"));
  EXPECT_EQ(e.kind, EventKind::kFilter);
  EXPECT_EQ(e.filter, Filter::kMilter);
  EXPECT_EQ(e.verdict, Verdict::kDiscard);
  EXPECT_EQ(e.action, Action::kBlocked);
  EXPECT_EQ(e.client, "203.0.113.9");
  e = Classify(*ParseSyslog(
      "2024-08-26T01:33:38.572449+00:00 mx rspamd[1234]: <ab12cd>; task; rspamd_task_write_log: "
      "id: <m@x>, qid: <4F1A>, ip: 203.0.113.9, from: <a@spam.example>, (default: T "
      "(discard): [21.50/15.00] [BAYES_SPAM(5.10)])"));
  EXPECT_EQ(e.kind, EventKind::kFilter);
  EXPECT_EQ(e.filter, Filter::kRspamd);
  EXPECT_EQ(e.verdict, Verdict::kDiscard);
  EXPECT_EQ(e.action, Action::kBlocked);
}

TEST(MailLogClassifyTest, AuthenticatedSubmissionsAndFailures) {
  auto e =
      Classify(*ParseSyslog("Nov 16 11:00:01 mx postfix/submission/smtpd[4711]: 4F1A2B3C4D: "
                            "client=unknown[198.51.100.7], "
                            "sasl_method=LOGIN, sasl_username=Alice@Example.ORG"));
  EXPECT_EQ(e.kind, EventKind::kAccepted);
  EXPECT_EQ(e.client, "198.51.100.7");
  EXPECT_EQ(e.user, "Alice@Example.ORG");
  EXPECT_EQ(e.queue_id, "4F1A2B3C4D");
  // qmgr's line of that message: its recipients.
  e =
      Classify(*ParseSyslog("Nov 16 11:00:01 mx postfix/qmgr[812]: 4F1A2B3C4D: "
                            "from=<alice@example.org>, size=1822, nrcpt=25 (queue active)"));
  EXPECT_EQ(e.kind, EventKind::kSender);
  EXPECT_EQ(e.queue_id, "4F1A2B3C4D");
  EXPECT_EQ(e.recipients, 25u);
  e = Classify(*ParseSyslog(
      "Nov 16 11:00:01 mx postfix/smtpd[4711]: 4F1A2B3C4D: client=mail.example[192.0.2.9]"));
  EXPECT_EQ(e.kind, EventKind::kAccepted);
  EXPECT_EQ(e.user, "");
  e =
      Classify(*ParseSyslog("Nov 16 11:00:02 mx postfix/smtpd[4711]: warning: "
                            "host.example[2001:db8::7]: SASL PLAIN authentication failed: "
                            "UGFzc3dvcmQ6"));
  EXPECT_EQ(e.kind, EventKind::kAuthFailed);
  EXPECT_EQ(e.client, "2001:db8::7");
  EXPECT_EQ(e.auth_attempts, 1u);
  // Other smtpd warnings are no failures.
  EXPECT_EQ(Classify(*ParseSyslog("Nov 16 11:00:02 mx postfix/smtpd[4711]: warning: "
                                  "hostname x.example does not resolve to address 192.0.2.1"))
                .kind,
            EventKind::kNone);
  // Dovecot 2.0/2.1 logged as the login process itself.
  e =
      Classify(*ParseSyslog("Nov 16 11:00:03 mx imap-login: Aborted login (auth failed, 12 "
                            "attempts): user=<bob>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1"));
  EXPECT_EQ(e.kind, EventKind::kAuthFailed);
  EXPECT_EQ(e.auth_service, AuthService::kDovecot);
  EXPECT_EQ(e.auth_attempts, 12u);
  EXPECT_EQ(e.user, "bob");
}

// SYNTHETIC lines (the corpus has none): RBL rejects, spamd, rspamd, cleanup, RFC 5424.
TEST(MailLogClassifyTest, RblRejectsFromSmtpdAndPostscreen) {
  auto s = ParseSyslog(
      "Nov 16 11:00:01 mx postfix/smtpd[1574]: NOQUEUE: reject: RCPT from "
      "unknown[198.51.100.7]: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked "
      "using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7; "
      "from=<a@spam.example> to=<b@example.org> proto=ESMTP helo=<x>");
  ASSERT_TRUE(s);
  Event e = Classify(*s);
  EXPECT_EQ(e.kind, EventKind::kReject);
  EXPECT_EQ(e.stage, Stage::kRcpt);
  EXPECT_EQ(e.reason, Reason::kRbl);
  EXPECT_EQ(e.rbl, "zen.spamhaus.org");
  EXPECT_EQ(e.client, "198.51.100.7");
  EXPECT_EQ(e.sender, "a@spam.example");
  EXPECT_FALSE(e.postscreen);
  s = ParseSyslog(
      "Nov 16 11:00:02 mx postfix-in/postscreen[99]: NOQUEUE: reject: RCPT from "
      "[2001:db8::5]:41000: 550 5.7.1 Service unavailable; client [2001:db8::5] blocked using "
      "bl.spamcop.net, reason: listed; from=<x@y.example>, to=<b@example.org>, proto=ESMTP");
  ASSERT_TRUE(s);
  e = Classify(*s);
  EXPECT_EQ(e.reason, Reason::kRbl);
  EXPECT_EQ(e.rbl, "bl.spamcop.net");
  EXPECT_EQ(e.client, "2001:db8::5");
  EXPECT_TRUE(e.postscreen);
  EXPECT_EQ(e.postscreen_result, PostscreenResult::kReject);
}

TEST(MailLogClassifyTest, RejectReasons) {
  const std::vector<std::pair<std::string, Reason>> cases = {
      {"450 4.2.0 <b@example.org>: Recipient address rejected: Greylisted, see "
       "http://postgrey.schweikert.ch/",
       Reason::kGreylist},
      {"550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual "
       "mailbox table",
       Reason::kUnknownUser},
      {"550 5.7.1 <x@y>: Sender address rejected: Access denied", Reason::kSender},
      {"554 5.7.1 <b@example.org>: Recipient address rejected: Access denied", Reason::kRecipient},
      {"450 4.7.1 Client host rejected: cannot find your hostname", Reason::kClient},
  };
  for (const auto& [detail, reason] : cases) {
    const std::string line =
        "Nov 16 11:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
        "unknown[192.0.2.1]: " +
        detail + "; from=<> to=<b@example.org> proto=ESMTP helo=<x>";
    const auto s = ParseSyslog(line);
    ASSERT_TRUE(s);
    EXPECT_EQ(Classify(*s).reason, reason) << detail;
  }
  const auto header = ParseSyslog(
      "Nov 16 11:00:01 mx postfix/cleanup[7]: 4F1A2B3C4D: reject: header Subject: Buy now from "
      "unknown[192.0.2.9]; from=<s@spam.example> to=<b@example.org> proto=ESMTP: 5.7.1 no");
  ASSERT_TRUE(header);
  const Event e = Classify(*header);
  EXPECT_EQ(e.stage, Stage::kHeader);
  EXPECT_EQ(e.reason, Reason::kContent);
  EXPECT_EQ(e.sender, "s@spam.example");
}

TEST(MailLogClassifyTest, SpamdAndRspamd) {
  auto s = ParseSyslog(
      "Nov 16 11:00:01 mx spamd[2211]: spamd: identified spam (12.3/5.0) for debian-spamd:112 "
      "in 0.8 seconds, 4312 bytes.");
  ASSERT_TRUE(s);
  Event e = Classify(*s);
  EXPECT_EQ(e.kind, EventKind::kFilter);
  EXPECT_EQ(e.filter, Filter::kSpamAssassin);
  EXPECT_EQ(e.verdict, Verdict::kSpam);
  EXPECT_EQ(e.action, Action::kTagged);
  s = ParseSyslog(
      "Nov 16 11:00:01 mx spamd[2211]: spamd: clean message (-0.1/5.0) for debian-spamd:112 in "
      "0.2 seconds, 1200 bytes.");
  EXPECT_EQ(Classify(*s).verdict, Verdict::kClean);
  const std::vector<std::pair<std::string, std::pair<Verdict, Action>>> actions = {
      {"F (no action)", {Verdict::kClean, Action::kPassed}},
      {"T (add header)", {Verdict::kAddHeader, Action::kTagged}},
      {"T (rewrite subject)", {Verdict::kRewriteSubject, Action::kTagged}},
      {"T (greylist)", {Verdict::kGreylist, Action::kBlocked}},
      {"T (soft reject)", {Verdict::kSoftReject, Action::kBlocked}},
      {"T (reject)", {Verdict::kReject, Action::kBlocked}},
  };
  for (const auto& [text, expected] : actions) {
    // rspamd's own log file, then through syslog.
    for (const std::string prefix : {"2026-11-16 11:00:01 #1234(normal) <4a2b1c>; task; ",
                                     "Nov 16 11:00:01 mx rspamd[1234]: <4a2b1c>; task; "}) {
      const std::string line =
          prefix +
          "rspamd_task_write_log: id: <m1@example.org>, qid: <4F1A2B3C4D>, ip: 203.0.113.5, "
          "from: <a@b.example>, (default: " +
          text + ": [6.20/15.00] [BAYES_SPAM(5.1){99%;}]), len: 1234, time: 80ms";
      s = ParseSyslog(line);
      ASSERT_TRUE(s) << prefix;
      e = Classify(*s);
      EXPECT_EQ(e.filter, Filter::kRspamd);
      EXPECT_EQ(e.verdict, expected.first) << text;
      EXPECT_EQ(e.action, expected.second) << text;
      EXPECT_TRUE(CanJudge(e.filter, e.verdict, e.action)) << text;
      EXPECT_EQ(e.client, "203.0.113.5");
      EXPECT_EQ(e.sender, "a@b.example");
    }
  }
}

// The combinations exported at 0 from the start, counted by hand from the rules in mail_log.h:
// rejects 7 SMTP stages x 11 reasons + header and body x content = 79; verdicts amavis 8
// categories blocked (8), SPAM and SPAMMY tagged (2), the other 6 passed or tagged (12), spamd 2,
// rspamd 6 = 30.
TEST(MailLogClassifyTest, PossibleCombinations) {
  int rejects = 0;
  for (int st = 0; st < kStageCount; ++st) {
    for (int r = 0; r < kReasonCount; ++r) {
      rejects += CanReject(static_cast<Stage>(st), static_cast<Reason>(r));
    }
  }
  EXPECT_EQ(rejects, 79);
  int verdicts = 0;
  for (int f = 0; f < kFilterCount; ++f) {
    for (int v = 0; v < kVerdictCount; ++v) {
      for (int a = 0; a < kActionCount; ++a) {
        verdicts +=
            CanJudge(static_cast<Filter>(f), static_cast<Verdict>(v), static_cast<Action>(a));
      }
    }
  }
  EXPECT_EQ(verdicts, 32);  // amavis 22, spamd 2, rspamd 7, milter-discard 1
  EXPECT_FALSE(CanReject(Stage::kHeader, Reason::kRbl));
  EXPECT_TRUE(CanReject(Stage::kEndOfMessage, Reason::kContent));  // milter-reject
  EXPECT_FALSE(CanJudge(Filter::kAmavis, Verdict::kSpam, Action::kPassed));
  EXPECT_FALSE(CanJudge(Filter::kAmavis, Verdict::kReject, Action::kBlocked));  // rspamd's
  EXPECT_FALSE(CanJudge(Filter::kSpamAssassin, Verdict::kSpam, Action::kBlocked));
  EXPECT_FALSE(CanJudge(Filter::kRspamd, Verdict::kClean, Action::kTagged));
}

TEST(MailLogSyslogTest, Envelopes) {
  auto s = ParseSyslog("Nov  6 04:02:36 host1 postfix/smtpd[26897]: connect from a[192.0.2.1]");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->time, "Nov  6 04:02:36");
  EXPECT_EQ(s->host, "host1");
  EXPECT_EQ(s->program, "postfix/smtpd");
  EXPECT_EQ(s->message, "connect from a[192.0.2.1]");
  // Postfix maillog_file: microseconds.
  s = ParseSyslog("Nov 16 04:02:36.123456 mx postfix/qmgr[7]: 4F1A2B3C4D: removed");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->time, "Nov 16 04:02:36.123456");
  // RFC 5424 with structured data and a BOM.
  s = ParseSyslog(
      "<22>1 2026-11-16T11:00:01.003Z mx.example.org postfix/smtpd 1574 - [meta x=\"1\"] "
      "\xEF\xBB\xBF"
      "connect from a[192.0.2.1]");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->program, "postfix/smtpd");
  EXPECT_EQ(s->message, "connect from a[192.0.2.1]");
  EXPECT_EQ(Classify(*s).client, "192.0.2.1");
  EXPECT_FALSE(ParseSyslog(""));
  EXPECT_FALSE(ParseSyslog("%(day)s 11:00:20 server postfix/smtpd[1]: x"));
  EXPECT_FALSE(ParseSyslog("Nov 16 11:00:20"));
  EXPECT_FALSE(ParseSyslog("Nov 16 11:00:20 host"));
  // No month: "Xyz" was once taken for one (npos % 3 == 0).
  EXPECT_FALSE(ParseSyslog("Xyz 16 11:00:20 host postfix/smtpd[1]: connect from a[192.0.2.1]"));
}

TEST(MailLogSyslogTest, Seconds) {
  // date -d '2026-11-16 11:00:01 UTC' +%s, and the same instant at +02:00.
  EXPECT_EQ(SyslogSeconds("2026-11-16T11:00:01.5Z", 0), 1794826801);
  EXPECT_EQ(SyslogSeconds("2026-11-16T13:00:01+02:00", 0), 1794826801);
  EXPECT_EQ(SyslogSeconds("Nov 16 11:00:01", 2026), 1794826801);
  EXPECT_EQ(SyslogSeconds("Nov  6 11:00:01", 2026), 1794826801 - 10 * 86400);
  EXPECT_EQ(SyslogSeconds("Nov 6 11:00:01", 2026), 1794826801 - 10 * 86400);
  EXPECT_FALSE(SyslogSeconds("Xyz 16 11:00:01", 2026));
  // A year whose nanoseconds do not fit an int64 (found by fuzzing: UB in the window time).
  EXPECT_FALSE(SyslogSeconds("9312-08-26T01:33:38.572449+00:00", 0));
  EXPECT_FALSE(SyslogSeconds("0001-01-01T00:00:00Z", 0));
}

}  // namespace
}  // namespace edgewatch::mail_log
