#include "collectors/bgp_schedule.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <sstream>

#include "config/values.h"
#include "testutil/fake_clock.h"

namespace edgewatch {
namespace {

using std::chrono::milliseconds;

net::Address Ip(const char* text) { return ParseIpAddress(text).value(); }

class FakePinger final : public io::Pinger {
 public:
  void Send(std::span<const io::EchoProbe> probes, std::span<int> errors) override {
    batches.emplace_back(probes.begin(), probes.end());
    for (std::size_t i = 0; i < probes.size(); ++i) {
      errors[i] = unreachable.count(probes[i].to) > 0 ? ENETUNREACH : 0;
    }
  }
  // Every probe sent, in order.
  std::vector<io::EchoProbe> All() const {
    std::vector<io::EchoProbe> all;
    for (const auto& b : batches) {
      all.insert(all.end(), b.begin(), b.end());
    }
    return all;
  }

  std::vector<std::vector<io::EchoProbe>> batches;
  std::set<net::Address> unreachable;
};

class FakeResolver final : public io::Resolver {
 public:
  void Resolve(const std::string& host, Done done) override {
    pending.emplace_back(host, std::move(done));
  }
  void Answer(Expected<std::vector<net::Address>> result) {
    ASSERT_FALSE(pending.empty());
    auto done = std::move(pending.front().second);
    pending.erase(pending.begin());
    done(std::move(result));
  }
  std::vector<std::pair<std::string, Done>> pending;
  int calls() const { return static_cast<int>(pending.size()) + answered; }
  int answered = 0;
};

class FakeTcp final : public io::TcpConnector {
 public:
  struct Call {
    net::Address to;
    std::uint16_t port;
    milliseconds timeout;
    Done done;
  };
  void Connect(const net::Address& to, std::uint16_t port, milliseconds timeout,
               Done done) override {
    calls.push_back({to, port, timeout, std::move(done)});
  }
  std::vector<Call> calls;
};

BgpNeighborConfig Neighbor(const std::string& name, const std::string& host) {
  BgpNeighborConfig n;
  n.name = name;
  n.host = host;
  if (auto a = net::ParseAddress(host)) {
    n.address = *a;
  }
  return n;
}

class BgpScheduleTest : public ::testing::Test {
 protected:
  BgpSchedule& Make() {
    schedule_ =
        std::make_unique<BgpSchedule>(config_, clock_, pinger_, resolver_, tcp_,
                                      Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_));
    return *schedule_;
  }
  // Ticks every 20 ms (as the probe loop) up to and including `until` from now.
  void RunFor(milliseconds until) {
    for (milliseconds t{0}; t <= until; t += milliseconds(20)) {
      schedule_->Tick();
      if (t + milliseconds(20) <= until) {
        clock_.Advance(milliseconds(20));
      }
    }
  }
  int SentTo(const net::Address& to) const {
    int n = 0;
    for (const auto& p : pinger_.All()) {
      n += p.to == to ? 1 : 0;
    }
    return n;
  }

  BgpConfig config_;
  testing::FakeClock clock_;
  FakePinger pinger_;
  FakeResolver resolver_;
  FakeTcp tcp_;
  std::ostringstream log_;
  std::unique_ptr<BgpSchedule> schedule_;
};

TEST_F(BgpScheduleTest, SpreadsFirstProbesOverTheInterval) {
  for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"}) {
    config_.neighbors.push_back(Neighbor(a, a));
  }
  auto& s = Make();
  s.Tick();
  ASSERT_EQ(pinger_.batches.size(), 1u);
  EXPECT_EQ(pinger_.batches[0].size(), 1u);
  EXPECT_EQ(pinger_.batches[0][0].to, Ip("192.0.2.1"));
  clock_.Advance(milliseconds(249));
  s.Tick();
  EXPECT_EQ(pinger_.batches.size(), 1u);  // the second neighbour is due at 250 ms
  clock_.Advance(milliseconds(1));
  s.Tick();
  ASSERT_EQ(pinger_.batches.size(), 2u);
  EXPECT_EQ(pinger_.batches[1][0].to, Ip("192.0.2.2"));
}

TEST_F(BgpScheduleTest, SendsEverythingDueInOneBatchWithoutCatchUpBursts) {
  for (const char* a : {"192.0.2.1", "192.0.2.2", "2001:db8::3"}) {
    config_.neighbors.push_back(Neighbor(a, a));
  }
  auto& s = Make();
  s.Tick();
  clock_.Advance(milliseconds(5000));  // a stall: every neighbour is due, some several times over
  s.Tick();
  ASSERT_EQ(pinger_.batches.size(), 2u);
  EXPECT_EQ(pinger_.batches[1].size(), 3u);
  clock_.Advance(milliseconds(999));
  s.Tick();
  EXPECT_EQ(pinger_.batches.size(), 2u);  // next ones one interval after the stall, not before
  clock_.Advance(milliseconds(1));
  s.Tick();
  EXPECT_EQ(pinger_.batches.size(), 3u);
  EXPECT_EQ(pinger_.batches[2].size(), 3u);
}

TEST_F(BgpScheduleTest, EachNeighbourAtItsOwnInterval) {
  config_.neighbors.push_back(Neighbor("fast", "192.0.2.1"));
  config_.neighbors.back().interval = milliseconds(500);
  config_.neighbors.push_back(Neighbor("default", "192.0.2.2"));
  Make();
  RunFor(milliseconds(3000));
  // fast: 0, 500, ..., 3000 ms; default: first at 1000 * 1/2 = 500 ms, then 1500, 2500.
  EXPECT_EQ(SentTo(Ip("192.0.2.1")), 7);
  EXPECT_EQ(SentTo(Ip("192.0.2.2")), 3);
  // None answered: at 3000 ms those sent more than the 1 s timeout ago are lost, the rest in
  // flight. fast: 0, 500, 1000, 1500 lost; default: 500, 1500 lost.
  EXPECT_EQ(schedule_->Ping(0).settled(), 4u);
  EXPECT_EQ(schedule_->Ping(1).settled(), 2u);
}

TEST_F(BgpScheduleTest, ProbesCarryTtlSizeAndSource) {
  config_.neighbors.push_back(Neighbor("r1", "192.0.2.1"));
  config_.neighbors.back().ttl = 1;
  config_.neighbors.back().size = 1400;
  config_.neighbors.back().source = Ip("192.0.2.100");
  config_.neighbors.push_back(Neighbor("r2", "2001:db8::2"));
  clock_.Advance(milliseconds(1));
  Make();
  RunFor(milliseconds(600));
  const auto all = pinger_.All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].ttl, 1);
  EXPECT_EQ(all[0].size, 1400u);
  EXPECT_EQ(all[0].source, Ip("192.0.2.100"));
  EXPECT_EQ(all[1].ttl, 0);  // the system default
  EXPECT_EQ(all[1].size, 64u);
  EXPECT_EQ(all[1].source, std::nullopt);
  EXPECT_NE(all[0].seq, all[1].seq);
}

TEST_F(BgpScheduleTest, RepliesWithinTheTimeoutLateOnesAndDuplicates) {
  config_.window = 2;
  config_.neighbors.push_back(Neighbor("r1", "192.0.2.1"));
  auto& s = Make();
  s.Tick();
  const auto first = pinger_.All().back().seq;
  clock_.Advance(milliseconds(7));
  s.Reply(Ip("192.0.2.1"), first);
  s.Reply(Ip("192.0.2.1"), first);  // the same reply again
  s.Reply(Ip("192.0.2.9"), first);  // right sequence, another host: not an answer
  EXPECT_EQ(s.RejectedReplies(), 1u);
  auto stats = s.Ping(0);
  EXPECT_EQ(stats.received, 1u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_TRUE(stats.up);
  EXPECT_DOUBLE_EQ(stats.rtt_sum_seconds, 0.007);
  // The next two go unanswered within the 1 s timeout; the second one's reply comes late.
  clock_.Advance(milliseconds(993));
  s.Tick();
  clock_.Advance(milliseconds(1000));
  s.Tick();
  const auto third = pinger_.All().back().seq;
  clock_.Advance(milliseconds(1500));
  s.Reply(Ip("192.0.2.1"), third);
  stats = s.Ping(0);
  EXPECT_EQ(stats.settled(), 3u);
  EXPECT_EQ(stats.received, 1u);
  EXPECT_EQ(stats.lost, 2u);
  EXPECT_FALSE(stats.up);  // window 2: two lost in a row
}

TEST_F(BgpScheduleTest, SequencesStartWhereTheyAreTold) {
  config_.neighbors.push_back(Neighbor("r1", "192.0.2.1"));
  BgpSchedule s(config_, clock_, pinger_, resolver_, tcp_,
                Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_), 40000);
  s.Tick();
  ASSERT_EQ(pinger_.All().size(), 1u);
  EXPECT_EQ(pinger_.All()[0].seq, 40000);
}

TEST_F(BgpScheduleTest, SendErrorsCount) {
  config_.neighbors.push_back(Neighbor("r1", "192.0.2.1"));
  pinger_.unreachable.insert(Ip("192.0.2.1"));
  Make();
  RunFor(milliseconds(2000));
  EXPECT_EQ(schedule_->Ping(0).settled(), 3u);
  EXPECT_EQ(schedule_->Ping(0).send_errors, 3u);
  EXPECT_NE(log_.str().find("probe not sent"), std::string::npos);
}

TEST_F(BgpScheduleTest, ResolutionAddsAndRemovesAddresses) {
  config_.resolve_interval = std::chrono::minutes(5);
  config_.neighbors.push_back(Neighbor("named", "router.example"));
  auto& s = Make();
  s.Tick();
  ASSERT_EQ(resolver_.pending.size(), 1u);
  EXPECT_EQ(resolver_.pending[0].first, "router.example");
  EXPECT_TRUE(pinger_.batches.empty());  // no address yet
  // Six addresses, one twice: the first four of the distinct ones in sorted order are probed.
  resolver_.Answer(std::vector<net::Address>{Ip("192.0.2.9"), Ip("192.0.2.3"), Ip("192.0.2.3"),
                                             Ip("2001:db8::1"), Ip("192.0.2.1"), Ip("192.0.2.7"),
                                             Ip("192.0.2.5")});
  clock_.Advance(milliseconds(1000));
  s.Tick();
  ASSERT_EQ(pinger_.batches.size(), 1u);
  std::vector<net::Address> probed;
  for (const auto& p : pinger_.batches[0]) {
    probed.push_back(p.to);
  }
  EXPECT_EQ(probed, (std::vector<net::Address>{Ip("192.0.2.1"), Ip("192.0.2.3"), Ip("192.0.2.5"),
                                               Ip("192.0.2.7")}));
  // No second resolution until resolve_interval after the answer.
  clock_.Advance(std::chrono::minutes(5) - milliseconds(1001));
  s.Tick();
  EXPECT_TRUE(resolver_.pending.empty());
  clock_.Advance(milliseconds(1));
  s.Tick();
  ASSERT_EQ(resolver_.pending.size(), 1u);
  s.Tick();
  EXPECT_EQ(resolver_.pending.size(), 1u);  // never two at once
  resolver_.Answer(std::vector<net::Address>{Ip("192.0.2.3"), Ip("192.0.2.20")});
  pinger_.batches.clear();
  clock_.Advance(milliseconds(1000));
  s.Tick();
  probed.clear();
  for (const auto& p : pinger_.All()) {
    probed.push_back(p.to);
  }
  EXPECT_EQ(probed, (std::vector<net::Address>{Ip("192.0.2.3"), Ip("192.0.2.20")}));
}

TEST_F(BgpScheduleTest, ResolutionFailuresRetrySoonerAndAreLoggedOnce) {
  config_.resolve_interval = std::chrono::seconds(30);
  config_.neighbors.push_back(Neighbor("named", "router.example"));
  auto& s = Make();
  s.Tick();
  resolver_.Answer(Error{"Host not found"});
  for (int attempt = 0; attempt < 3; ++attempt) {
    clock_.Advance(milliseconds(2999));  // a tenth of resolve_interval
    s.Tick();
    EXPECT_TRUE(resolver_.pending.empty());
    clock_.Advance(milliseconds(1));
    s.Tick();
    ASSERT_EQ(resolver_.pending.size(), 1u);
    resolver_.Answer(Error{"Host not found"});
  }
  const std::string log = log_.str();
  EXPECT_EQ(log.find("cannot resolve neighbour"), log.rfind("cannot resolve neighbour"));
  EXPECT_NE(log.find("Host not found"), std::string::npos);
  EXPECT_TRUE(pinger_.batches.empty());
  EXPECT_EQ(s.Resolves(0), false);
  clock_.Advance(milliseconds(3000));
  s.Tick();
  resolver_.Answer(std::vector<net::Address>{Ip("192.0.2.1")});
  EXPECT_EQ(s.Resolves(0), true);
}

TEST_F(BgpScheduleTest, TcpChecksAtTheirIntervalWithTheNeighboursTimeout) {
  config_.tcp_probe_interval = std::chrono::seconds(10);
  config_.neighbors.push_back(Neighbor("r1", "192.0.2.1"));
  config_.neighbors.back().tcp_probe = true;
  config_.neighbors.back().timeout = milliseconds(300);
  config_.neighbors.push_back(Neighbor("r2", "192.0.2.2"));  // tcp_probe off
  auto& s = Make();
  s.Tick();
  ASSERT_EQ(tcp_.calls.size(), 1u);
  EXPECT_EQ(tcp_.calls[0].to, Ip("192.0.2.1"));
  EXPECT_EQ(tcp_.calls[0].port, 179);
  EXPECT_EQ(tcp_.calls[0].timeout, milliseconds(300));
  EXPECT_FALSE(s.Tcp(0));
  clock_.Advance(milliseconds(40));
  tcp_.calls[0].done(true);
  ASSERT_TRUE(s.Tcp(0));
  EXPECT_TRUE(s.Tcp(0)->up);
  EXPECT_DOUBLE_EQ(s.Tcp(0)->seconds, 0.04);
  RunFor(milliseconds(9940));  // up to 9.98 s: not yet
  EXPECT_EQ(tcp_.calls.size(), 1u);
  clock_.Advance(milliseconds(20));
  s.Tick();
  ASSERT_EQ(tcp_.calls.size(), 2u);
  tcp_.calls[1].done(false);
  EXPECT_FALSE(s.Tcp(0)->up);
  EXPECT_FALSE(s.Tcp(1));
}

}  // namespace
}  // namespace edgewatch
