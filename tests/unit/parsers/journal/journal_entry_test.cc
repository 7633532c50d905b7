#include "parsers/journal/journal_entry.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace edgewatch::journal {
namespace {

TEST(JournalFieldTest, ValueAfterTheFieldName) {
  EXPECT_EQ(FieldValue("MESSAGE=connect from x", "MESSAGE"), "connect from x");
  EXPECT_EQ(FieldValue("MESSAGE=", "MESSAGE"), "");
  EXPECT_EQ(FieldValue("MESSAGES=x", "MESSAGE"), "");  // another field
  EXPECT_EQ(FieldValue("MESSAGE", "MESSAGE"), "");
  EXPECT_EQ(FieldValue("_PID=42", "_PID"), "42");
}

TEST(EntryCopyTest, KeepsTheWantedFieldsCutToTheirBuffers) {
  EntryCopy e(8);
  for (const char* f : {"_BOOT_ID=x", "SYSLOG_IDENTIFIER=postfix/smtpd", "SYSLOG_PID=12", "_PID=13",
                        "_HOSTNAME=mx1", "_SYSTEMD_UNIT=postfix@-.service",
                        "MESSAGE=connect from x", "PRIORITY=6", "MESSAGE_ID=abc", "S", ""}) {
    e.Take(f);
  }
  EXPECT_EQ(e.identifier.view(), "postfix/smtpd");
  EXPECT_EQ(e.syslog_pid.view(), "12");
  EXPECT_EQ(e.pid.view(), "13");
  EXPECT_EQ(e.hostname.view(), "mx1");
  EXPECT_EQ(e.unit.view(), "postfix@-.service");
  EXPECT_TRUE(e.has_message);
  EXPECT_EQ(e.message(), "connect ");  // cut to 8
  EXPECT_EQ(e.message_size, 14u);
  e.Take("SYSLOG_IDENTIFIER=" + std::string(300, 'a'));  // cut to its 256 bytes
  EXPECT_EQ(e.identifier.size, 256u);
  e.Clear();
  EXPECT_FALSE(e.has_message);
  EXPECT_EQ(e.identifier.view(), "");
  e.Take("MESSAGE=");
  EXPECT_TRUE(e.has_message);  // empty, but there
}

TEST(SyslogLineWriterTest, WritesWhatRsyslogWouldHaveWritten) {
  SyslogLineWriter w;
  std::array<char, 256> buf{};
  EntryFields e;
  // 2026-12-02T04:10:58.913721Z
  e.realtime_usec = 1796184658913721;
  e.hostname = "mx1";
  e.identifier = "postfix/smtpd";
  e.pid = "100";
  e.message = "connect from unknown[192.0.2.0]";
  auto out = w.Write(e, buf);
  EXPECT_EQ(out.line,
            "2026-12-02T04:10:58+00:00 mx1 postfix/smtpd[100]: connect from "
            "unknown[192.0.2.0]");
  EXPECT_FALSE(out.cut);
  // No pid, no host, a message over lines, the next second; and a leap day.
  e.realtime_usec = 1709164800000000;  // 2024-02-29T00:00:00Z
  e.hostname = "";
  e.pid = "";
  e.identifier = "spamd";
  e.message = "one\ntwo\r\n";
  EXPECT_EQ(w.Write(e, buf).line, "2024-02-29T00:00:00+00:00 localhost spamd: one two  ");
  e.realtime_usec = 1709164800000000 + 86399 * 1000000LL;
  EXPECT_EQ(w.Write(e, buf).line.substr(0, 25), "2024-02-29T23:59:59+00:00");
}

TEST(SyslogLineWriterTest, CutsWhatDoesNotFit) {
  SyslogLineWriter w;
  std::array<char, 40> buf{};
  EntryFields e{1796184658913721, "mx1", "postfix/smtpd", "1", "a message longer than the rest"};
  const auto out = w.Write(e, buf);
  EXPECT_TRUE(out.cut);
  EXPECT_EQ(out.line, "2026-12-02T04:10:58+00:00 mx1 postfix/sm");  // 40 bytes
  std::array<char, 4> small{};
  EXPECT_EQ(SyslogLineWriter::WriteMessage("GET /\n", small).line, "GET ");
  EXPECT_TRUE(SyslogLineWriter::WriteMessage("GET /\n", small).cut);
  EXPECT_FALSE(SyslogLineWriter::WriteMessage("GET", small).cut);
}

TEST(EntryFilterTest, IdentifiersOrUnitsByGlob) {
  const EntryFilter all({}, {});
  EXPECT_TRUE(all.Exact());
  EXPECT_TRUE(all.Matches("sshd", ""));

  const EntryFilter exact({"exim4", "dovecot"}, {"postfix@-.service"});
  EXPECT_TRUE(exact.Exact());
  EXPECT_TRUE(exact.Matches("exim4", ""));
  EXPECT_TRUE(exact.Matches("postfix/smtpd", "postfix@-.service"));
  EXPECT_FALSE(exact.Matches("exim", ""));

  // '*' crosses '/': Postfix's names, multi-instance ones included.
  const EntryFilter globs({"postfix*", "spamd"}, {});
  EXPECT_FALSE(globs.Exact());
  EXPECT_FALSE(globs.WantsUnit());
  for (const char* id : {"postfix/smtpd", "postfix/submission/smtpd", "postfix-out/qmgr"}) {
    EXPECT_TRUE(globs.Matches(id, "")) << id;
  }
  EXPECT_FALSE(globs.Matches("sshd", ""));
  EXPECT_FALSE(globs.Matches("xpostfix/smtpd", ""));
  const EntryFilter units({}, {"postfix@*.service"});
  EXPECT_TRUE(units.WantsUnit());
  EXPECT_TRUE(units.Matches("anything", "postfix@postfix-out.service"));
  EXPECT_FALSE(units.Matches("postfix/smtpd", "cron.service"));
}

}  // namespace
}  // namespace edgewatch::journal
