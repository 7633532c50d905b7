#include "io/pinger.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <functional>
#include <sstream>

#include "testutil/fake_clock.h"

namespace edgewatch::io {
namespace {

net::Address Ip(const char* text) { return *net::ParseAddress(text); }

// Real ICMP sockets on loopback (root or ping_group_range: the test suite runs as root).
class IcmpPingerTest : public ::testing::Test {
 protected:
  Logger logger() { return Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_); }

  boost::asio::io_context io_;
  testing::FakeClock clock_;
  std::ostringstream log_;
};

TEST_F(IcmpPingerTest, RepliesFromLoopbackComeBackWithTheirSequence) {
  std::vector<std::pair<net::Address, std::uint16_t>> replies;
  IcmpPinger pinger(io_, logger(), [&](const net::Address& from, std::uint16_t seq) {
    replies.emplace_back(from, seq);
    if (replies.size() == 3) {
      io_.stop();
    }
  });
  const std::vector<EchoProbe> probes = {{Ip("127.0.0.1"), std::nullopt, 0, 64, 7},
                                         {Ip("127.0.0.1"), std::nullopt, 3, 1000, 8},
                                         {Ip("::1"), std::nullopt, 0, 64, 9}};
  std::vector<int> errors(probes.size(), -1);
  pinger.Send(probes, errors);
  EXPECT_EQ(errors, (std::vector<int>{0, 0, 0}));
  io_.run_for(std::chrono::seconds(10));
  std::sort(replies.begin(), replies.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  ASSERT_EQ(replies.size(), 3u) << log_.str();
  EXPECT_EQ(replies[0], std::pair(Ip("127.0.0.1"), std::uint16_t{7}));
  EXPECT_EQ(replies[1], std::pair(Ip("127.0.0.1"), std::uint16_t{8}));
  EXPECT_EQ(replies[2], std::pair(Ip("::1"), std::uint16_t{9}));
}

// A reply with edgewatch's magic but not this pinger's cookie (a spoofed reply) is refused and
// counted, never handed on.
TEST_F(IcmpPingerTest, SpoofedRepliesAreRefusedAndCounted) {
  int replies = 0;
  IcmpPinger pinger(io_, logger(), [&](const net::Address&, std::uint16_t) { ++replies; });
  const std::vector<EchoProbe> probe = {{Ip("127.0.0.1"), std::nullopt, 0, 64, 5}};
  std::vector<int> errors(1, -1);
  pinger.Send(probe, errors);  // opens the socket; its own reply comes back
  ASSERT_EQ(errors[0], 0);
  // The spoof: an echo reply to 127.0.0.1 with the magic and a cookie of zeros.
  auto spoofer = IcmpSocket::Open(false);
  ASSERT_TRUE(spoofer.ok());
  std::array<std::byte, 64> packet{};
  const std::size_t n = icmp::BuildEchoRequest(false, 1, 5, 64, icmp::Cookie{}, packet);
  packet[0] = std::byte{icmp::kEchoReplyV4};
  packet[2] = packet[3] = std::byte{0};
  const std::uint16_t sum = icmp::Checksum(std::span(packet).first(n));
  packet[2] = std::byte{static_cast<std::uint8_t>(sum >> 8)};
  packet[3] = std::byte{static_cast<std::uint8_t>(sum)};
  const IcmpSocket::Outgoing out[] = {{Ip("127.0.0.1"), std::span(packet).first(n)}};
  ASSERT_EQ(spoofer->Send(out).sent, 1u);
  // Runs the loop until the spoof was counted (at most 10 s).
  boost::asio::steady_timer check(io_);
  std::function<void()> poll = [&] {
    if (pinger.rejected() >= 1 && replies >= 1) {
      io_.stop();
      return;
    }
    check.expires_after(std::chrono::milliseconds(5));
    check.async_wait([&](const boost::system::error_code&) { poll(); });
  };
  poll();
  io_.run_for(std::chrono::seconds(10));
  // At least the spoof: tests running beside this one ping loopback too, with other cookies,
  // and a raw socket sees every echo reply on the host.
  EXPECT_GE(pinger.rejected(), 1u);
  EXPECT_EQ(replies, 1);  // only the real one
}

TEST_F(IcmpPingerTest, ASourceAddressThisHostDoesNotHaveFailsEveryProbeAndIsLoggedOnce) {
  IcmpPinger pinger(io_, logger(), [](const net::Address&, std::uint16_t) {});
  // 192.0.2.77 (TEST-NET-1) is on no interface here: bind() refuses it, nothing is sent.
  const std::vector<EchoProbe> probes = {{Ip("127.0.0.1"), Ip("192.0.2.77"), 0, 64, 1},
                                         {Ip("127.0.0.1"), Ip("192.0.2.77"), 0, 64, 2}};
  std::vector<int> errors(probes.size(), 0);
  pinger.Send(probes, errors);
  pinger.Send(probes, errors);
  EXPECT_EQ(errors, (std::vector<int>{EACCES, EACCES}));
  const std::string log = log_.str();
  EXPECT_NE(log.find("cannot use source address"), std::string::npos) << log;
  EXPECT_EQ(log.find("cannot probe neighbours"), log.rfind("cannot probe neighbours"));
}

}  // namespace
}  // namespace edgewatch::io
