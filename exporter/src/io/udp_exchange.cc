#include "io/udp_exchange.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "io/unique_fd.h"

namespace edgewatch::io {
namespace {

Error Errno(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

}  // namespace

Expected<std::vector<std::byte>> UdpExchange(const net::Address& address, std::uint16_t port,
                                             std::span<const std::byte> request,
                                             std::chrono::milliseconds timeout) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (address.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(port);
    std::memcpy(&sa->sin6_addr, address.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    std::memcpy(&sa->sin_addr, address.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  }
  UniqueFd fd(::socket(address.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return Errno("socket");
  }
  // connect() makes the kernel drop datagrams from anyone else and report ICMP errors.
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return Errno("connect");
  }
  if (::send(fd.get(), request.data(), request.size(), 0) < 0) {
    return Errno("send");
  }
  pollfd p{fd.get(), POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready == 0) {
    return Error{"no answer within " + std::to_string(timeout.count()) + "ms"};
  }
  if (ready < 0) {
    return Errno("poll");
  }
  std::vector<std::byte> reply(65536);
  const ssize_t n = ::recv(fd.get(), reply.data(), reply.size(), 0);
  if (n < 0) {
    return Errno("recv");
  }
  reply.resize(static_cast<std::size_t>(n));
  return reply;
}

}  // namespace edgewatch::io
