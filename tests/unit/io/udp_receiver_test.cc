#include "io/udp_receiver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace edgewatch::io {
namespace {

struct Got {
  net::Address sender;
  std::string bytes;
  bool truncated = false;
};

std::vector<Got> ReceiveAll(UdpReceiver& receiver, std::size_t want) {
  std::vector<Got> got;
  const UdpReceiver::OnDatagram keep = [&](const net::Address& sender,
                                           std::span<const std::byte> bytes, bool truncated) {
    got.push_back({sender, std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   truncated});
  };
  // Until `want` arrived or, once some did, the socket has nothing more.
  for (int i = 0; i < 50 && got.size() < want; ++i) {
    if (receiver.Receive(std::chrono::milliseconds(100), keep) == 0 && !got.empty()) {
      break;
    }
  }
  return got;
}

void SendTo(int family, const char* address, std::uint16_t port, const std::string& payload) {
  const int fd = ::socket(family, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_storage to{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&to);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    ::inet_pton(AF_INET, address, &in->sin_addr);
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&to);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  }
  EXPECT_EQ(
      ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), length),
      static_cast<ssize_t>(payload.size()));
  ::close(fd);
}

TEST(UdpReceiverTest, DualStackSocketTakesBothFamiliesAndNamesSenders) {
  auto receiver = UdpReceiver::Bind({{std::nullopt, 0}}, 1 << 20);
  ASSERT_TRUE(receiver.ok()) << receiver.error().message;
  const std::uint16_t port = receiver->Ports().at(0);
  ASSERT_NE(port, 0);
  SendTo(AF_INET, "127.0.0.1", port, "four");
  SendTo(AF_INET6, "::1", port, "six");
  const auto got = ReceiveAll(*receiver, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes, "four");
  EXPECT_EQ(got[0].sender, *net::ParseAddress("127.0.0.1"));  // not ::ffff:127.0.0.1
  EXPECT_EQ(got[1].bytes, "six");
  EXPECT_EQ(got[1].sender, *net::ParseAddress("::1"));
  EXPECT_FALSE(got[0].truncated);
}

TEST(UdpReceiverTest, ManyDatagramsInBatchesAndAnOversizedOneCutShort) {
  auto receiver = UdpReceiver::Bind({{net::ParseAddress("127.0.0.1"), 0}}, 4 << 20);
  ASSERT_TRUE(receiver.ok()) << receiver.error().message;
  const std::uint16_t port = receiver->Ports().at(0);
  for (int i = 0; i < 100; ++i) {
    SendTo(AF_INET, "127.0.0.1", port, "datagram " + std::to_string(i));
  }
  SendTo(AF_INET, "127.0.0.1", port, std::string(UdpReceiver::kMaxDatagram + 100, 'x'));
  const auto got = ReceiveAll(*receiver, 101);
  ASSERT_EQ(got.size(), 101u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(got[i].bytes, "datagram " + std::to_string(i));
  }
  EXPECT_TRUE(got[100].truncated);
  EXPECT_EQ(got[100].bytes.size(), UdpReceiver::kMaxDatagram);
  EXPECT_EQ(receiver->KernelDrops(0), 0u);
  EXPECT_EQ(receiver->Received(0), 101u);
}

TEST(UdpReceiverTest, AFullReceiveBufferIsCountedAsKernelDrops) {
  // The smallest buffer the kernel grants (it doubles and floors SO_RCVBUF) holds a few
  // datagrams; the rest are dropped and SO_RXQ_OVFL says how many.
  auto receiver = UdpReceiver::Bind({{net::ParseAddress("127.0.0.1"), 0}}, 1);
  ASSERT_TRUE(receiver.ok()) << receiver.error().message;
  const std::uint16_t port = receiver->Ports().at(0);
  const int sent = 400;
  for (int i = 0; i < sent; ++i) {
    SendTo(AF_INET, "127.0.0.1", port, std::string(1000, 'y'));
  }
  const auto got = ReceiveAll(*receiver, sent);
  ASSERT_LT(got.size(), static_cast<std::size_t>(sent));
  EXPECT_EQ(receiver->KernelDrops(0), sent - got.size());
}

// A lone listener blocks in recvmmsg, several are polled: both hand over what arrives, and a
// lone one with nothing to read returns after its timeout.
TEST(UdpReceiverTest, OneListenerWaitsInItsReadSeveralArePolled) {
  auto lone = UdpReceiver::Bind({{net::ParseAddress("127.0.0.1"), 0}}, 1 << 20);
  ASSERT_TRUE(lone.ok()) << lone.error().message;
  EXPECT_EQ(lone->Receive(std::chrono::milliseconds(20), [](auto&&...) {}), 0u);
  SendTo(AF_INET, "127.0.0.1", lone->Ports().at(0), "alone");
  EXPECT_EQ(ReceiveAll(*lone, 1).at(0).bytes, "alone");

  auto two = UdpReceiver::Bind(
      {{net::ParseAddress("127.0.0.1"), 0}, {net::ParseAddress("127.0.0.1"), 0}}, 1 << 20);
  ASSERT_TRUE(two.ok()) << two.error().message;
  SendTo(AF_INET, "127.0.0.1", two->Ports().at(0), "first");
  SendTo(AF_INET, "127.0.0.1", two->Ports().at(1), "second");
  const auto got = ReceiveAll(*two, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(two->Received(0), 1u);
  EXPECT_EQ(two->Received(1), 1u);
}

TEST(UdpReceiverTest, ABusyPortIsAnErrorNamingIt) {
  auto first = UdpReceiver::Bind({{net::ParseAddress("127.0.0.1"), 0}}, 1 << 20);
  ASSERT_TRUE(first.ok());
  const std::uint16_t port = first->Ports().at(0);
  auto second = UdpReceiver::Bind({{net::ParseAddress("127.0.0.1"), port}}, 1 << 20);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "udp 127.0.0.1:" + std::to_string(port) + ": bind: Address already in use");
}

}  // namespace
}  // namespace edgewatch::io
