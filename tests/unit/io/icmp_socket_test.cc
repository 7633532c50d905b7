#include "io/icmp_socket.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <array>

#include "parsers/icmp/echo.h"

namespace edgewatch::io {
namespace {

constexpr icmp::Cookie kCookie{};

// Real sockets; the suite runs as root, so these are raw (CAP_NET_RAW).
TEST(IcmpSocketTest, OpensBindsAndSetsTheTtl) {
  for (bool v6 : {false, true}) {
    auto s = IcmpSocket::Open(v6);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->v6(), v6);
    EXPECT_TRUE(s->raw());
    EXPECT_EQ(s->with_ip_header(), !v6);  // raw IPv4 delivers the IP header too
    EXPECT_TRUE(s->SetTtl(5).ok());
    EXPECT_TRUE(s->SetTtl(0).ok());  // back to the default
    EXPECT_TRUE(s->Bind(*net::ParseAddress(v6 ? "::1" : "127.0.0.1")).ok());
  }
  auto s = IcmpSocket::Open(false);
  ASSERT_TRUE(s.ok());
  const Status foreign = s->Bind(*net::ParseAddress("192.0.2.77"));  // on no interface here
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("cannot use source address"), std::string::npos);
}

TEST(IcmpSocketTest, SendsABatchAndReceivesOnlyEchoReplies) {
  auto s = IcmpSocket::Open(false);
  ASSERT_TRUE(s.ok());
  const auto to = *net::ParseAddress("127.0.0.1");
  std::array<std::array<std::byte, 64>, 3> packets;
  std::array<IcmpSocket::Outgoing, 3> out;
  for (std::uint16_t i = 0; i < 3; ++i) {
    const auto n = icmp::BuildEchoRequest(false, 0x4242, i, 64, kCookie, packets[i]);
    out[i] = {to, std::span<const std::byte>(packets[i]).first(n)};
  }
  const auto sent = s->Send(out);
  EXPECT_EQ(sent.sent, 3u);
  std::vector<std::byte> buffers(IcmpSocket::kBatch * 256);
  std::array<IcmpSocket::Received, IcmpSocket::kBatch> got;
  std::size_t replies = 0;
  for (int round = 0; round < 20 && replies < 3; ++round) {
    pollfd p{s->fd(), POLLIN, 0};
    ::poll(&p, 1, 500);
    const std::size_t n = s->Receive(buffers, 256, got);
    for (std::size_t i = 0; i < n; ++i) {
      const auto reply = icmp::ParseEchoReply(false, true, kCookie, got[i].data);
      // The filter lets no request through, our own looped-back ones included.
      ASSERT_TRUE(reply.ok()) << static_cast<int>(reply.error());
      EXPECT_EQ(got[i].from, to);
      replies += reply->id == 0x4242 ? 1 : 0;
    }
  }
  EXPECT_EQ(replies, 3u);
}

}  // namespace
}  // namespace edgewatch::io
