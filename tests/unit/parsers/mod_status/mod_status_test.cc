#include "parsers/mod_status/mod_status.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testutil/testdata.h"

namespace edgewatch::mod_status {
namespace {

std::string Read(const std::string& name) {
  std::ifstream in(testing::TestData("mod_status/" + name), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr int kWaiting = 0;
constexpr int kSending = 3;
constexpr int kOpen = 10;

// Expected values: the corpus README (the Key: value lines as they are, scoreboard counts).
TEST(ModStatusTest, ExtendedEvent) {
  const auto r = Parse(Read("netdata-extended-status-mpm-event.txt"));
  ASSERT_TRUE(r) << r.error().message;
  const Status& s = *r;
  EXPECT_EQ(s.flavour, Flavour::kApache);
  EXPECT_EQ(s.version, "Apache/2.4.37 (Unix)");
  EXPECT_EQ(s.mpm, "event");
  EXPECT_EQ(s.total_accesses, 9);
  EXPECT_EQ(s.total_kbytes, 12);
  EXPECT_EQ(s.total_duration_ms, 1);
  EXPECT_EQ(s.cpu_system, 0.01);  // written ".01"
  EXPECT_EQ(s.uptime_seconds, 256);
  EXPECT_EQ(s.busy_workers, 1);
  EXPECT_EQ(s.idle_workers, 99);
  EXPECT_EQ(s.processes, 4);
  EXPECT_EQ(s.conns_total, 0);
  EXPECT_EQ(s.load15, 1.41);
  ASSERT_TRUE(s.scoreboard.has_value());
  EXPECT_EQ(s.scoreboard_length, 400u);
  EXPECT_EQ((*s.scoreboard)[kWaiting], 99u);
  EXPECT_EQ((*s.scoreboard)[kSending], 1u);
  EXPECT_EQ((*s.scoreboard)[kOpen], 300u);
}

TEST(ModStatusTest, SimpleEventWithoutExtendedStatus) {
  const auto r = Parse(Read("netdata-simple-status-mpm-event.txt"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->total_accesses.has_value());
  EXPECT_FALSE(r->total_kbytes.has_value());
  EXPECT_EQ(r->busy_workers, 1);
  EXPECT_EQ(r->idle_workers, 74);
  EXPECT_EQ(r->processes, 3);
  EXPECT_EQ((*r->scoreboard)[kWaiting], 74u);
  EXPECT_EQ((*r->scoreboard)[kOpen], 325u);
}

TEST(ModStatusTest, ProductionPrefork) {
  const auto r = Parse(Read("netdata-extended-status-mpm-prefork.txt"));
  ASSERT_TRUE(r) << r.error().message;
  const Status& s = *r;
  EXPECT_EQ(s.mpm, "prefork");
  EXPECT_EQ(s.total_accesses, 120358784);
  EXPECT_EQ(s.total_kbytes, 4252382776);
  EXPECT_EQ(s.uptime_seconds, 708904);
  EXPECT_EQ(s.busy_workers, 70);
  EXPECT_EQ(s.idle_workers, 1037);
  EXPECT_EQ(s.cpu_children_user, 776666);
  EXPECT_FALSE(s.processes.has_value());
  EXPECT_FALSE(s.conns_total.has_value());
  EXPECT_EQ(s.scoreboard_length, 6u);  // abridged upstream: "___..."
}

TEST(ModStatusTest, LighttpdLookAlike) {
  const auto r = Parse(Read("netdata-lighttpd-status-NEGATIVE.txt"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->mpm.empty());
  EXPECT_EQ(r->total_accesses, 12);
  EXPECT_EQ(r->busy_workers, 3);    // BusyServers
  EXPECT_EQ(r->idle_workers, 125);  // IdleServers
  EXPECT_EQ(r->scoreboard_length, 128u);
  EXPECT_EQ((*r->scoreboard)[kWaiting], 125u);
}

TEST(ModStatusTest, UptimeZeroPrefork) {
  const auto r = Parse(Read("apache-2.4.71-prefork-uptime0.txt"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->idle_workers, 0);
  EXPECT_EQ(r->uptime_seconds, 0);
  EXPECT_EQ((*r->scoreboard)[kSending], 1u);
  EXPECT_EQ((*r->scoreboard)[kOpen], 4u);
}

TEST(ModStatusTest, NginxStubStatus) {
  const auto r = Parse(Read("nginx-stub-status-SYNTHETIC.txt"));
  ASSERT_TRUE(r) << r.error().message;
  const Status& s = *r;
  EXPECT_EQ(s.flavour, Flavour::kNginx);
  EXPECT_EQ(s.active, 291);
  EXPECT_EQ(s.accepts, 16630948);
  EXPECT_EQ(s.handled, 16630948);
  EXPECT_EQ(s.total_accesses, 31070465);
  EXPECT_EQ(s.reading, 6);
  EXPECT_EQ(s.writing, 179);
  EXPECT_EQ(s.waiting, 106);
  EXPECT_FALSE(s.scoreboard.has_value());
}

TEST(ModStatusTest, ErrorsSayWhatThePageWas) {
  EXPECT_EQ(Parse("").error().message, "empty status page");
  EXPECT_EQ(Parse("\n  \n").error().message, "empty status page");
  EXPECT_EQ(
      Parse("<!DOCTYPE HTML PUBLIC>\n<html><head><title>Apache Status</title>").error().message,
      "got an HTML page, not the machine-readable status: add ?auto to the URL "
      "(server-status?auto), and turn ExtendedStatus On for the totals");
  EXPECT_EQ(Parse("hello world\nfoo: bar\n").error().message,
            "not a server-status?auto or stub_status page (no known field in the reply)");
  EXPECT_EQ(Parse("Active connections: 1\nserver accepts handled requests\n").error().message,
            "truncated or malformed nginx stub_status page");
  EXPECT_FALSE(Parse("BusyWorkers: many\n"));
}

TEST(ModStatusTest, EveryPrefixOfARealPageIsSafe) {
  const std::string page = Read("netdata-extended-status-mpm-event.txt");
  for (std::size_t n = 0; n <= page.size(); ++n) {
    (void)Parse(std::string_view(page).substr(0, n));
  }
  const auto cut = Parse(std::string_view(page).substr(0, page.find("Total Accesses") + 18));
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->total_accesses, 9);  // a last line without newline still counts
}

// By hand from the pages above: the event page has 400 slots and 100 workers in 4 processes
// (25 per child); the prefork page 5 slots, one worker per child.
TEST(ModStatusTest, ChildProcessLimitFromTheLastGoodPage) {
  const auto event = Parse(Read("netdata-extended-status-mpm-event.txt"));
  ASSERT_TRUE(event);
  EXPECT_EQ(ChildProcessLimit(*event, 0), 16);
  EXPECT_EQ(ChildProcessLimit(*event, 150), 6);
  EXPECT_EQ(ChildProcessLimit(*event, 160), 7);  // a part-filled child still counts
  const auto prefork = Parse(Read("apache-2.4.71-prefork-uptime0.txt"));
  ASSERT_TRUE(prefork);
  EXPECT_EQ(ChildProcessLimit(*prefork, 0), 5);
  EXPECT_EQ(ChildProcessLimit(*prefork, 150), 150);
  const auto nginx = Parse(Read("nginx-stub-status-SYNTHETIC.txt"));
  ASSERT_TRUE(nginx);
  EXPECT_FALSE(ChildProcessLimit(*nginx, 150).has_value());
  // lighttpd's look-alike: no MPM and no Processes line, so no workers-per-child.
  const auto lighttpd = Parse(Read("netdata-lighttpd-status-NEGATIVE.txt"));
  ASSERT_TRUE(lighttpd);
  EXPECT_FALSE(ChildProcessLimit(*lighttpd, 0).has_value());
}

// A real Debian Apache 2.4.71 event page two seconds after a graceful restart with twelve slow
// requests running (ServerLimit 4, ThreadsPerChild 10): counted by hand from the file, the
// scoreboard "GGGGG.GGGGGGG.......W_________" has 30 slots, 8 open, 12 finishing in the two
// stopping processes, 1 sending and 9 waiting in the new one.
TEST(ModStatusTest, GracefulRestartUnderLoad) {
  const auto r = Parse(Read("apache-2.4.71-event-graceful-restart.txt"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->processes, 4);
  EXPECT_EQ(r->stopping, 2);
  EXPECT_EQ(r->graceful_workers, 0);
  EXPECT_EQ(r->busy_workers, 1);
  EXPECT_EQ(r->idle_workers, 9);
  EXPECT_EQ(r->scoreboard_length, 30u);
  EXPECT_EQ((*r->scoreboard)[8], 12u);  // G
  EXPECT_EQ((*r->scoreboard)[kOpen], 8u);
  // Usable: not open, not finishing: the new process' 10 (busy + idle say the same).
  EXPECT_EQ(WorkerSlots(*r, 0), 10);
  EXPECT_EQ(WorkerSlots(*r, 0), *r->busy_workers + *r->idle_workers);
  EXPECT_EQ(WorkerSlots(*r, 20), 20);
}

TEST(ModStatusTest, WorkerSlotsOfOtherPages) {
  const auto event = Parse(Read("netdata-extended-status-mpm-event.txt"));
  ASSERT_TRUE(event);
  EXPECT_EQ(WorkerSlots(*event, 0), 100);  // 400 slots, 300 open (corpus README)
  const auto nginx = Parse(Read("nginx-stub-status-SYNTHETIC.txt"));
  ASSERT_TRUE(nginx);
  EXPECT_FALSE(WorkerSlots(*nginx, 0).has_value());
  EXPECT_EQ(WorkerSlots(*nginx, 512), 512);
}

}  // namespace
}  // namespace edgewatch::mod_status
