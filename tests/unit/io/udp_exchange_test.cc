#include "io/udp_exchange.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <thread>

#include "io/unique_fd.h"

namespace edgewatch::io {
namespace {

const net::Address kLoopback = *net::ParseAddress("127.0.0.1");

// A UDP socket on 127.0.0.1 and a free port.
UniqueFd Bound(std::uint16_t& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  socklen_t len = sizeof sa;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  port = ntohs(sa.sin_port);
  return fd;
}

std::vector<std::byte> Bytes(std::string_view s) {
  std::vector<std::byte> out;
  for (char c : s) {
    out.push_back(static_cast<std::byte>(c));
  }
  return out;
}

TEST(UdpExchangeTest, ReturnsTheAnswer) {
  std::uint16_t port = 0;
  UniqueFd server = Bound(port);
  std::thread answer([&] {
    char buf[64];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n =
        ::recvfrom(server.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    const std::string reply = "re:" + std::string(buf, static_cast<std::size_t>(n));
    ::sendto(server.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  });
  const auto got = UdpExchange(kLoopback, port, Bytes("ping"), std::chrono::seconds(5));
  answer.join();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, Bytes("re:ping"));
}

TEST(UdpExchangeTest, SilenceIsATimeoutAndAClosedPortAnError) {
  std::uint16_t silent_port = 0;
  UniqueFd silent = Bound(silent_port);  // receives, never answers
  const auto timed_out =
      UdpExchange(kLoopback, silent_port, Bytes("x"), std::chrono::milliseconds(50));
  EXPECT_FALSE(timed_out.ok());
  std::uint16_t closed_port = 0;
  Bound(closed_port);  // closed again at once: the kernel answers port unreachable
  const auto refused = UdpExchange(kLoopback, closed_port, Bytes("x"), std::chrono::seconds(5));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(timed_out.error().message, refused.error().message);
}

}  // namespace
}  // namespace edgewatch::io
