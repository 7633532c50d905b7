#include "io/icmp_socket.h"

#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>

namespace edgewatch::io {
namespace {

socklen_t ToSockaddr(const net::Address& a, sockaddr_storage& storage) {
  storage = {};
  if (a.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    std::memcpy(&sa->sin6_addr, a.bytes.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
  sa->sin_family = AF_INET;
  std::memcpy(&sa->sin_addr, a.bytes.data(), 4);
  return sizeof(sockaddr_in);
}

net::Address FromSockaddr(const sockaddr_storage& storage) {
  net::Address a;
  if (storage.ss_family == AF_INET6) {
    a.v6 = true;
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, 16);
  } else {
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, 4);
  }
  return a;
}

// A raw socket gets a copy of every ICMP message the host receives, our own echo requests to
// local addresses included; let the kernel drop all but echo replies before they are queued.
void AcceptOnlyEchoReplies(int fd, bool v6) {
  if (v6) {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  } else {
    icmp_filter filter{};
    filter.data = ~(1U << ICMP_ECHOREPLY);
    ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
  }
}

}  // namespace

Expected<IcmpSocket> IcmpSocket::Open(bool v6) {
  const int family = v6 ? AF_INET6 : AF_INET;
  const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  UniqueFd raw(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (raw.valid()) {
    AcceptOnlyEchoReplies(raw.get(), v6);
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

Status IcmpSocket::Bind(const net::Address& source) const {
  sockaddr_storage storage;
  const socklen_t length = ToSockaddr(source, storage);
  if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    return Error{std::string("cannot use source address: ") + std::strerror(errno)};
  }
  return {};
}

Status IcmpSocket::SetTtl(int ttl) const {
  const int level = v6_ ? IPPROTO_IPV6 : IPPROTO_IP;
  const int option = v6_ ? IPV6_UNICAST_HOPS : IP_TTL;
  const int value = ttl == 0 ? -1 : ttl;  // -1: back to the route's default
  if (::setsockopt(fd_.get(), level, option, &value, sizeof value) != 0) {
    return Error{std::string("cannot set the TTL: ") + std::strerror(errno)};
  }
  return {};
}

IcmpSocket::SendResult IcmpSocket::Send(std::span<const Outgoing> packets) const {
  const std::size_t n = std::min(packets.size(), kBatch);
  std::array<sockaddr_storage, kBatch> names;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> msgs{};
  for (std::size_t i = 0; i < n; ++i) {
    iov[i] = {const_cast<std::byte*>(packets[i].packet.data()), packets[i].packet.size()};
    msgs[i].msg_hdr.msg_name = &names[i];
    msgs[i].msg_hdr.msg_namelen = ToSockaddr(packets[i].to, names[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  SendResult result;
  while (result.sent < n) {
    const int r =
        ::sendmmsg(fd_.get(), msgs.data() + result.sent, static_cast<unsigned>(n - result.sent), 0);
    if (r < 0) {
      result.error = errno;
      break;
    }
    result.sent += static_cast<std::size_t>(r);
  }
  return result;
}

std::size_t IcmpSocket::Receive(std::span<std::byte> buffers, std::size_t each,
                                std::span<Received, kBatch> out) const {
  const std::size_t n = std::min(kBatch, buffers.size() / each);
  std::array<sockaddr_storage, kBatch> names;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> msgs{};
  for (std::size_t i = 0; i < n; ++i) {
    iov[i] = {buffers.data() + i * each, each};
    msgs[i].msg_hdr.msg_name = &names[i];
    msgs[i].msg_hdr.msg_namelen = sizeof names[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  const int r = ::recvmmsg(fd_.get(), msgs.data(), static_cast<unsigned>(n), 0, nullptr);
  if (r <= 0) {
    return 0;
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(r); ++i) {
    out[i] = {FromSockaddr(names[i]), buffers.subspan(i * each, msgs[i].msg_len)};
  }
  return static_cast<std::size_t>(r);
}

}  // namespace edgewatch::io
