#include "io/journal_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testutil/fake_clock.h"
#include "testutil/temp_dir.h"

namespace edgewatch::io {
namespace {

namespace fs = std::filesystem;

// Debian's systemd-journal-remote (package systemd-journal-remote) turns journal export format
// into real journal files: the test's journals are written by systemd's own code.
constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";

struct Entry {
  std::string identifier;
  std::string message;
  std::string unit;  // _SYSTEMD_UNIT, if any
};

class Lines final : public LineSink {
 public:
  void Line(std::size_t /*log*/, std::uint64_t /*file_id*/, std::string_view /*file*/,
            std::string_view line) override {
    got.emplace_back(line);
  }
  std::vector<std::string> Take() { return std::exchange(got, {}); }

  std::vector<std::string> got;
};

class JournalReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs::exists(kJournalRemote)) << kJournalRemote; }

  // Appends `entries` to journal file `name` (created if new), one second apart from the last.
  void Write(const std::string& name, const std::vector<Entry>& entries) {
    std::ostringstream export_format;
    for (const auto& e : entries) {
      ++written_;
      export_format << "__REALTIME_TIMESTAMP=" << (1'796'184'000LL + written_) * 1'000'000
                    << "\n__MONOTONIC_TIMESTAMP=" << written_ * 1'000'000
                    << "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=mx1\n"
                    << "SYSLOG_IDENTIFIER=" << e.identifier << "\n_PID=" << 100 + written_ << "\n";
      if (!e.unit.empty()) {
        export_format << "_SYSTEMD_UNIT=" << e.unit << "\n";
      }
      if (e.message.find('\n') == std::string::npos) {
        export_format << "MESSAGE=" << e.message << "\n\n";
      } else {  // the export format's binary field: name, 64-bit little-endian size, bytes
        export_format << "MESSAGE\n";
        for (int i = 0; i < 8; ++i) {
          export_format.put(static_cast<char>((e.message.size() >> (8 * i)) & 0xff));
        }
        export_format << e.message << "\n\n";
      }
    }
    const std::string cmd =
        std::string(kJournalRemote) + " -o " + dir_.File(name) + " - 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "w");
    ASSERT_NE(p, nullptr);
    const std::string text = export_format.str();
    ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), p), text.size());
    ASSERT_EQ(::pclose(p), 0) << cmd;
  }

  JournalOptions Options() {
    JournalOptions o;
    o.name = "mail";
    o.directory = dir_.File("journal");
    o.identifiers = {"postfix*"};
    o.cursor_file = dir_.File("mail.cursor");
    return o;
  }

  testing::TempDir dir_{"journal-reader"};
  testing::FakeClock clock_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_};
  long long written_ = 0;
  Lines lines_;
};

TEST_F(JournalReaderTest, ReplaysAFileAsSyslogLinesOfTheMatchingEntries) {
  fs::create_directories(dir_.File("journal"));
  Write("journal/a.journal", {{"postfix/smtpd", "connect from a[192.0.2.1]", ""},
                              {"sshd", "Accepted publickey for root", ""},
                              {"postfix-out/qmgr", "ABC: removed\nsecond line", ""}});
  JournalOptions o = Options();
  o.directory.clear();
  o.cursor_file.clear();
  o.files = {dir_.File("journal/a.journal")};
  o.from_start = true;
  JournalReader r(o, clock_, logger_);
  EXPECT_FALSE(r.Poll(lines_, 0));
  EXPECT_EQ(lines_.Take(),
            (std::vector<std::string>{
                "2026-12-02T04:00:01+00:00 mx1 postfix/smtpd[101]: connect from a[192.0.2.1]",
                "2026-12-02T04:00:03+00:00 mx1 postfix-out/qmgr[103]: ABC: removed second line"}));
  EXPECT_EQ(r.Health().log.lines, 2u);
  EXPECT_EQ(r.Health().log.open_files, 1u);
  EXPECT_EQ(r.Health().log.read_errors, 0u);
}

TEST_F(JournalReaderTest, LongFieldsCompressedByTheJournalComeOutWhole) {
  // journald and journal-remote compress fields over 512 bytes; every field is read before the
  // next one replaces sd-journal's decompression buffer.
  fs::create_directories(dir_.File("journal"));
  const std::string message(3000, 'm');
  const std::string identifier = "postfix/" + std::string(200, 'i');
  Write("journal/a.journal", {{identifier, message, std::string(600, 'u')}});
  JournalOptions o = Options();
  o.directory.clear();
  o.files = {dir_.File("journal/a.journal")};
  o.from_start = true;
  JournalReader r(o, clock_, logger_);
  r.Poll(lines_, 0);
  EXPECT_EQ(lines_.Take(), std::vector<std::string>{"2026-12-02T04:00:01+00:00 mx1 " + identifier +
                                                    "[101]: " + message});
  EXPECT_EQ(r.Health().log.bytes, 3000u);
}

TEST_F(JournalReaderTest, LiveStartsAtTheEndAndResumesAtItsCursorAfterARestart) {
  fs::create_directories(dir_.File("journal"));
  Write("journal/a.journal", {{"postfix/smtpd", "before start", ""}});
  {
    JournalReader r(Options(), clock_, logger_);
    EXPECT_FALSE(r.Poll(lines_, 0));
    EXPECT_TRUE(lines_.Take().empty());  // history is not new traffic
    Write("journal/a.journal", {{"postfix/smtpd", "one", ""}, {"cron", "not mail", ""}});
    EXPECT_FALSE(r.Poll(lines_, 0));
    EXPECT_EQ(lines_.Take().size(), 1u);
  }  // stopped: the cursor is written
  Write("journal/a.journal", {{"postfix/smtpd", "two", ""}, {"postfix/smtpd", "three", ""}});
  JournalReader again(Options(), clock_, logger_);
  EXPECT_FALSE(again.Poll(lines_, 0));
  const auto got = lines_.Take();
  ASSERT_EQ(got.size(), 2u);  // what came while it was down, nothing twice
  EXPECT_NE(got[0].find(": two"), std::string::npos);
  EXPECT_NE(got[1].find(": three"), std::string::npos);
  EXPECT_EQ(again.Health().cursor_misses, 0u);
}

TEST_F(JournalReaderTest, AVacuumedCursorEntryIsCountedAndReadingGoesOn) {
  fs::create_directories(dir_.File("journal"));
  Write("journal/a.journal", {{"postfix/smtpd", "old", ""}});
  {
    JournalReader r(Options(), clock_, logger_);
    r.Poll(lines_, 0);
    Write("journal/a.journal", {{"postfix/smtpd", "last read", ""}});
    r.Poll(lines_, 0);
    ASSERT_EQ(lines_.Take().size(), 1u);
  }
  // While edgewatch is down the journal moves to a new file and the old one is vacuumed.
  Write("journal/b.journal", {{"postfix/smtpd", "after", ""}, {"postfix/smtpd", "later", ""}});
  fs::remove(dir_.File("journal/a.journal"));
  JournalReader again(Options(), clock_, logger_);
  again.Poll(lines_, 0);
  const auto got = lines_.Take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find(": after"), std::string::npos);
  EXPECT_EQ(again.Health().cursor_misses, 1u);
}

TEST_F(JournalReaderTest, AJournalThatAppearsLaterIsReadFromItsStart) {
  JournalReader r(Options(), clock_, logger_);
  EXPECT_FALSE(r.Poll(lines_, 0));
  EXPECT_EQ(r.Health().log.open_files, 0u);  // up 0: no journal at all
  fs::create_directories(dir_.File("journal"));
  Write("journal/a.journal", {{"postfix/smtpd", "first", ""}});
  r.Poll(lines_, 0);
  EXPECT_EQ(lines_.Take().size(), 1u);
  EXPECT_EQ(r.Health().log.open_files, 1u);
}

TEST_F(JournalReaderTest, ExactNamesUseTheJournalsMatchesAndBudgetsShowLag) {
  fs::create_directories(dir_.File("journal"));
  JournalOptions o = Options();
  o.identifiers = {"exim4"};
  o.units = {"postfix@-.service"};
  o.read_budget = 2;
  o.max_line = 60;
  JournalReader r(o, clock_, logger_);
  r.Poll(lines_, 0);
  Write("journal/a.journal",
        {{"exim4", "1", ""},
         {"postfix/smtpd", "2 with a message too long for sixty bytes", "postfix@-.service"},
         {"sshd", "not", "ssh.service"},
         {"exim4", "3", ""}});
  clock_.Advance(std::chrono::hours(1));
  EXPECT_TRUE(r.Poll(lines_, 0));  // the budget ran out
  EXPECT_GT(r.Health().lag_seconds, 3000);
  EXPECT_EQ(lines_.Take().size(), 2u);
  EXPECT_FALSE(r.Poll(lines_, 0));
  EXPECT_EQ(lines_.Take().size(), 1u);
  EXPECT_EQ(r.Health().lag_seconds, 0);
  EXPECT_EQ(r.Health().log.long_lines, 1u);
  EXPECT_EQ(r.Health().log.lines, 3u);
}

TEST_F(JournalReaderTest, AnUnwritableCursorFileIsCounted) {
  fs::create_directories(dir_.File("journal"));
  JournalOptions o = Options();
  o.cursor_file = dir_.File("no/such/dir/mail.cursor");
  JournalReader r(o, clock_, logger_);
  r.Poll(lines_, 0);
  Write("journal/a.journal", {{"postfix/smtpd", "x", ""}});
  r.Poll(lines_, 0);
  r.SaveCursor();
  EXPECT_EQ(r.Health().cursor_write_errors, 1u);
  EXPECT_NE(log_.str().find("cannot write the journal cursor file"), std::string::npos);
}

}  // namespace
}  // namespace edgewatch::io
