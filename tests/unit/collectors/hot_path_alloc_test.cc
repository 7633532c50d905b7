// Proves the per-packet and per-line hot paths allocate nothing: global operator new is replaced by
// one that counts, while a flag is set, the allocations made on this thread.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <vector>

#include "collectors/access_log_state.h"
#include "collectors/flow_collector.h"
#include "collectors/mail_log_state.h"
#include "collectors/udp_reflection_state.h"
#include "config/values.h"
#include "io/file_follower.h"
#include "parsers/access_log/access_log.h"
#include "parsers/mail_log/mail_log.h"
#include "testutil/exposition.h"
#include "testutil/fake_clock.h"
#include "testutil/pcap_file.h"
#include "testutil/testdata.h"

namespace {

thread_local bool counting = false;
thread_local std::size_t allocations = 0;

}  // namespace

void* operator new(std::size_t size) {
  if (counting) {
    ++allocations;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace edgewatch {
namespace {

TEST(ReflectionHotPathTest, OnFrameAllocatesNothing) {
  ReflectionSettings settings;
  settings.local_networks = {ParseCidr("198.51.100.0/24").value()};
  settings.vector_mask = (1u << reflection::kVectorCount) - 1;
  settings.ntp_servers = {ParseIpAddress("198.51.100.123").value()};
  ReflectionState state(settings);

  // Copy the frames out first: reading the file may allocate, the hot path may not.
  struct Frame {
    std::int64_t ts;
    int link;
    std::vector<std::byte> bytes;
  };
  std::vector<Frame> frames;
  // Every path: vectors judged by content, local answers, fragments matched and not.
  for (const char* name : {"incident-ntp-reflection.pcap", "malformed.pcap", "fragments.pcap",
                           "link-ethernet-vlan-ipv6.pcap", "local-traffic.pcap",
                           "same-port-answers.pcap", "fragmented-floods.pcap"}) {
    testing::ForEachPacket(name, [&](int link, const io::Packet& p) {
      frames.push_back({p.timestamp_ns, link, {p.data.begin(), p.data.end()}});
    });
  }
  ASSERT_GT(frames.size(), 300u);

  allocations = 0;
  counting = true;
  for (int round = 0; round < 3; ++round) {
    for (const auto& f : frames) {
      state.OnFrame(f.ts + round, f.link, f.bytes);
    }
  }
  counting = false;
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(state.Counts().frames, 3 * frames.size());  // the frames were really processed
}

// Each flow datagram: agent health, the sFlow parser, each sample's header into the state.
TEST(FlowHotPathTest, DatagramsAllocateNothing) {
  FlowConfig config;
  config.local_networks = {ParseCidr("198.51.100.0/24").value()};
  config.agents = {ParseCidr("127.0.0.0/8").value()};
  testing::FakeClock clock;
  std::ostringstream log;
  FlowCollector flows(config, clock, Logger(log, LogLevel::kInfo, LogFormat::kLogfmt, clock));
  std::vector<std::vector<std::byte>> datagrams;
  testing::ForEachPacket("flow/sflow-pmacct-incident.pcap", [&](int link, const io::Packet& p) {
    net::Frame frame;
    ASSERT_FALSE(net::DecodeFrameInto(link, p.data, frame));
    datagrams.emplace_back(frame.udp.payload.begin(), frame.udp.payload.end());
  });
  ASSERT_EQ(datagrams.size(), 25u);
  const net::Address sender = *net::ParseAddress("127.0.0.1");
  flows.OnDatagram(sender, datagrams[0], false, 0, 0);  // the agent's slot, taken once

  allocations = 0;
  counting = true;
  for (int round = 0; round < 3; ++round) {
    for (const auto& d : datagrams) {
      flows.OnDatagram(sender, d, false, round, round);
    }
  }
  counting = false;
  EXPECT_EQ(allocations, 0u);
  // The datagrams were really processed: the first one's 6 samples, then 3 x 152.
  EXPECT_NE(testing::Exposition(flows).find(
                "edgewatch_flow_samples_total{protocol=\"sflow\",agent=\"127.0.0.1\"} 462\n"),
            std::string::npos);
}

// IPFIX and NetFlow v9 from softflowd: templates stored, records decoded and counted.
TEST(FlowHotPathTest, TemplatedDatagramsAllocateNothing) {
  FlowConfig config;
  config.local_networks = {ParseCidr("198.51.100.0/24").value()};
  testing::FakeClock clock;
  std::ostringstream log;
  FlowCollector flows(config, clock, Logger(log, LogLevel::kInfo, LogFormat::kLogfmt, clock));
  std::vector<std::vector<std::byte>> datagrams;
  for (const char* file :
       {"flow/ipfix-softflowd-incident.pcap", "flow/netflow9-softflowd-incident.pcap",
        "flow/netflow5-softflowd-incident.pcap"}) {
    testing::ForEachPacket(file, [&](int link, const io::Packet& p) {
      net::Frame frame;
      ASSERT_FALSE(net::DecodeFrameInto(link, p.data, frame));
      datagrams.emplace_back(frame.udp.payload.begin(), frame.udp.payload.end());
    });
  }
  ASSERT_EQ(datagrams.size(), 3u);
  const net::Address sender = *net::ParseAddress("127.0.0.1");
  for (const auto& d : datagrams) {
    flows.OnDatagram(sender, d, false, 0, 0);  // each protocol's slot, taken once
  }

  allocations = 0;
  counting = true;
  for (int round = 1; round <= 3; ++round) {
    for (const auto& d : datagrams) {
      flows.OnDatagram(sender, d, false, round, round);
    }
  }
  counting = false;
  EXPECT_EQ(allocations, 0u);
  EXPECT_NE(testing::Exposition(flows).find(
                "edgewatch_flow_samples_total{protocol=\"ipfix\",agent=\"127.0.0.1\"} 84\n"),
            std::string::npos);
}

// Each line: follower -> parser -> counters and top-K, as the access-log collector runs it.
class CountingLines final : public io::LineSink {
 public:
  explicit CountingLines(AccessLogStats& stats) : stats_(stats) {}
  void Line(std::size_t /*log*/, std::uint64_t /*file_id*/, std::string_view /*file*/,
            std::string_view line) override {
    if (const auto r = detect_.Parse(line)) {
      const Seen seen = stats_.Add(*r);
      if (seen.RanksClient()) {
        stats_.AddTopClient(r->client, 0);
      }
      stats_.AddSite(SiteKeyOf(r->site().empty() ? std::string_view("default") : r->site()), seen,
                     0);
      ++parsed;
    }
  }
  std::size_t parsed = 0;

 private:
  AccessLogStats& stats_;
  access_log::AutoFormat detect_;
};

TEST(AccessLogHotPathTest, LinesAllocateNothing) {
  AccessLogSettings settings{{"/xmlrpc.php"}, {"/wp-login.php"}, 10, 600'000'000'000};
  AccessLogStats stats(settings);
  CountingLines lines(stats);
  testing::FakeClock clock;
  std::ostringstream log_text;
  const auto dir =
      std::filesystem::temp_directory_path() / ("edgewatch-alloc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "access.log").string();
  std::ofstream(path) << "";
  io::FileFollower follower({{"web", path}}, {}, clock,
                            Logger(log_text, LogLevel::kInfo, LogFormat::kLogfmt, clock));
  follower.Poll(lines);  // opens the file: its buffer is allocated once, here

  std::ifstream corpus(testing::TestData("access_log/incident-xmlrpc-flood.log"));
  std::string all((std::istreambuf_iterator<char>(corpus)), std::istreambuf_iterator<char>());
  // As Debian's other_vhosts_access.log: 300 sites in turn, more than the site top-K holds, so
  // its evictions run too.
  std::string vhosts;
  int site = 0;
  for (std::size_t start = 0, end; (end = all.find('\n', start)) != std::string::npos;
       start = end + 1) {
    vhosts += "site-" + std::to_string(site++ % 300) + ".example:443 ";
    vhosts.append(all, start, end + 1 - start);
  }
  // A round costs the same allocations (the directory scan) whether it reads 1 line or 5,850.
  auto round = [&](const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
    allocations = 0;
    counting = true;
    follower.Poll(lines);
    counting = false;
    return allocations;
  };
  const std::size_t one = round(all.substr(0, all.find('\n') + 1));
  const std::size_t many = round(all + all + all + all + all);
  const std::size_t sites = round(vhosts + vhosts);
  EXPECT_EQ(one, many);
  EXPECT_EQ(one, sites);
  EXPECT_EQ(lines.parsed, 1 + 7 * (1170 - 2));
  EXPECT_GT(stats.TopSites(SiteKind::kAll, 0).error_bound, 0u);  // the table was full and evicted
  std::filesystem::remove_all(dir);
}

class MailLines final : public io::LineSink {
 public:
  explicit MailLines(MailLogStats& stats) : stats_(stats) {}
  void Line(std::size_t /*log*/, std::uint64_t /*file_id*/, std::string_view /*file*/,
            std::string_view line) override {
    if (const auto s = mail_log::ParseSyslog(line)) {
      stats_.Add(mail_log::Classify(*s), 0);
      ++parsed;
    }
  }
  std::size_t parsed = 0;

 private:
  MailLogStats& stats_;
};

TEST(MailLogHotPathTest, LinesAllocateNothing) {
  MailLogStats stats(MailLogSettings{{"zen.spamhaus.org"}, 3'600'000'000'000});
  MailLines lines(stats);
  testing::FakeClock clock;
  std::ostringstream log_text;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("edgewatch-alloc-mail-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "mail.log").string();
  std::ofstream(path) << "";
  io::FileFollower follower({{"mail", path}}, {}, clock,
                            Logger(log_text, LogLevel::kInfo, LogFormat::kLogfmt, clock));
  follower.Poll(lines);
  std::string all;
  for (const char* name :
       {"snowshoe.log", "modoboa-mail.log", "fail2ban-exim.log", "fail2ban-exim-spam.log"}) {
    std::ifstream in(testing::TestData(std::string("mail_log/") + name));
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto round = [&](const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
    allocations = 0;
    counting = true;
    follower.Poll(lines);
    counting = false;
    return allocations;
  };
  const std::size_t one = round(all.substr(0, all.find('\n') + 1));
  const std::size_t many = round(all + all + all);
  EXPECT_EQ(one, many);
  EXPECT_EQ(lines.parsed, 1 + 3 * (6084 + 519 + 17 + 6));
  EXPECT_GT(stats.connections(mail_log::SmtpService::kSmtpd), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace edgewatch
