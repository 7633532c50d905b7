#include "io/icmp_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace edgewatch::io {

Expected<IcmpSocket> IcmpSocket::Open(bool v6) {
  const int family = v6 ? AF_INET6 : AF_INET;
  const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  UniqueFd raw(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (raw.valid()) {
    return IcmpSocket(std::move(raw), v6, true);
  }
  const int raw_errno = errno;
  UniqueFd dgram(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (dgram.valid()) {
    return IcmpSocket(std::move(dgram), v6, false);
  }
  return Error{std::string("cannot open an ICMP") + (v6 ? "v6" : "") +
               " socket: raw sockets need CAP_NET_RAW (" + std::strerror(raw_errno) +
               "), and unprivileged ping sockets are not allowed for this group (" +
               std::strerror(errno) + "; see sysctl net.ipv4.ping_group_range)"};
}

Status IcmpSocket::Send(const net::Address& to, std::span<const std::byte> packet) const {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (to.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    std::memcpy(&sa->sin6_addr, to.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
    sa->sin_family = AF_INET;
    std::memcpy(&sa->sin_addr, to.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  }
  if (::sendto(fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&storage),
               length) < 0) {
    return Error{std::strerror(errno)};
  }
  return {};
}

std::optional<IcmpSocket::Received> IcmpSocket::Receive(std::span<std::byte> buffer) const {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  const ssize_t n = ::recvfrom(fd_.get(), buffer.data(), buffer.size(), 0,
                               reinterpret_cast<sockaddr*>(&storage), &length);
  if (n < 0) {
    return std::nullopt;
  }
  Received r;
  r.size = static_cast<std::size_t>(n);
  if (storage.ss_family == AF_INET6) {
    r.from.v6 = true;
    std::memcpy(r.from.bytes.data(), &reinterpret_cast<sockaddr_in6*>(&storage)->sin6_addr, 16);
  } else {
    std::memcpy(r.from.bytes.data(), &reinterpret_cast<sockaddr_in*>(&storage)->sin_addr, 4);
  }
  return r;
}

}  // namespace edgewatch::io
