#include "io/udp_receiver.h"

#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace edgewatch::io {

namespace {

std::string Errno(int error) { return std::strerror(error); }

sockaddr_storage SocketAddress(const UdpEndpoint& endpoint, socklen_t& length) {
  sockaddr_storage storage{};
  if (endpoint.address && !endpoint.address->v6) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(endpoint.port);
    std::memcpy(&in->sin_addr, endpoint.address->bytes.data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(endpoint.port);
    if (endpoint.address) {
      std::memcpy(&in6->sin6_addr, endpoint.address->bytes.data(), 16);
    }
    length = sizeof(sockaddr_in6);
  }
  return storage;
}

net::Address SenderOf(const sockaddr_storage& storage) {
  net::Address a;
  if (storage.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
    std::memcpy(a.bytes.data(), &in->sin_addr, 4);
    return a;
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
  const auto* b = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) {
    std::memcpy(a.bytes.data(), b + 12, 4);  // a dual-stack socket's IPv4 sender
    return a;
  }
  a.v6 = true;
  std::memcpy(a.bytes.data(), b, 16);
  return a;
}

}  // namespace

std::string FormatEndpoint(const UdpEndpoint& endpoint) {
  std::string host;
  if (endpoint.address) {
    host = net::FormatAddress(*endpoint.address);
    if (endpoint.address->v6) {
      host = "[" + host + "]";
    }
  }
  return host + ":" + std::to_string(endpoint.port);
}

Expected<UdpReceiver> UdpReceiver::Bind(const std::vector<UdpEndpoint>& endpoints,
                                        int receive_buffer_bytes) {
  UdpReceiver receiver;
  for (const UdpEndpoint& endpoint : endpoints) {
    const bool v4 = endpoint.address && !endpoint.address->v6;
    // A lone socket blocks in Receive(); several are polled and read without blocking.
    const int blocking = endpoints.size() == 1 ? 0 : SOCK_NONBLOCK;
    UniqueFd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | blocking, 0));
    if (!fd.valid()) {
      return Error{"udp " + FormatEndpoint(endpoint) + ": socket: " + Errno(errno)};
    }
    const int off = 0;
    if (!endpoint.address) {
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    // Asked, not required: the kernel caps it at net.core.rmem_max, and drops say the rest.
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes,
                 sizeof(receive_buffer_bytes));
    socklen_t length = 0;
    const sockaddr_storage address = SocketAddress(endpoint, length);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
      return Error{"udp " + FormatEndpoint(endpoint) + ": bind: " + Errno(errno)};
    }
    receiver.sockets_.push_back({std::move(fd), 0});
  }
  receiver.buffers_.resize(kBatch * kMaxDatagram);
  receiver.senders_.resize(kBatch);
  receiver.iovecs_.resize(kBatch);
  receiver.headers_.resize(kBatch);
  return receiver;
}

std::size_t UdpReceiver::Receive(std::chrono::milliseconds timeout, const OnDatagram& on_datagram) {
  const std::size_t handled = Wait(timeout, on_datagram);
  const auto now = std::chrono::steady_clock::now();
  if (!drops_read_ || now - *drops_read_ >= std::chrono::milliseconds(100)) {
    drops_read_ = now;
    ReadDrops();
  }
  return handled;
}

std::size_t UdpReceiver::Wait(std::chrono::milliseconds timeout, const OnDatagram& on_datagram) {
  if (sockets_.size() == 1) {
    // One listener: a recvmmsg that waits for the first datagram is one syscall per wake-up,
    // where poll and then a read are two (a quiet listener wakes for nearly every datagram).
    if (wait_ != timeout) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
      const timeval tv{static_cast<time_t>(us / 1'000'000),
                       static_cast<suseconds_t>(us % 1'000'000)};
      ::setsockopt(sockets_[0].fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      wait_ = timeout;
    }
    return Drain(sockets_[0], on_datagram, true);
  }
  std::array<pollfd, 16> polls{};
  const std::size_t n = std::min(sockets_.size(), polls.size());
  for (std::size_t i = 0; i < n; ++i) {
    polls[i] = {sockets_[i].fd.get(), POLLIN, 0};
  }
  if (::poll(polls.data(), n, static_cast<int>(timeout.count())) <= 0) {
    return 0;
  }
  std::size_t handled = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (polls[i].revents & POLLIN) {
      handled += Drain(sockets_[i], on_datagram, false);
    }
  }
  return handled;
}

// Reads what the socket holds, a batch at a time, up to a few batches so that one busy socket
// does not starve the others; with `wait`, the first read waits for a datagram (SO_RCVTIMEO).
std::size_t UdpReceiver::Drain(Socket& socket, const OnDatagram& on_datagram, bool wait) {
  std::size_t handled = 0;
  for (int round = 0; round < 8; ++round) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      iovecs_[i] = {buffers_.data() + i * kMaxDatagram, kMaxDatagram};
      headers_[i] = {};
      headers_[i].msg_hdr.msg_name = &senders_[i];
      headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      headers_[i].msg_hdr.msg_iov = &iovecs_[i];
      headers_[i].msg_hdr.msg_iovlen = 1;
    }
    const int flags = wait && round == 0 ? MSG_WAITFORONE : MSG_DONTWAIT;
    const int got = ::recvmmsg(socket.fd.get(), headers_.data(), kBatch, flags, nullptr);
    if (got <= 0) {
      break;
    }
    for (int i = 0; i < got; ++i) {
      const msghdr& h = headers_[i].msg_hdr;
      const std::size_t length = std::min<std::size_t>(headers_[i].msg_len, kMaxDatagram);
      on_datagram(SenderOf(senders_[i]),
                  std::span<const std::byte>(buffers_.data() + i * kMaxDatagram, length),
                  (h.msg_flags & MSG_TRUNC) != 0);
    }
    handled += static_cast<std::size_t>(got);
    socket.received += static_cast<std::uint64_t>(got);
    if (static_cast<std::size_t>(got) < kBatch) {
      break;
    }
  }
  return handled;
}

void UdpReceiver::ReadDrops() {
  for (Socket& s : sockets_) {
    // The socket's own drop count (sk_drops), read when asked: SO_RXQ_OVFL would tell it only
    // with the next datagram that arrives.
    std::uint32_t info[SK_MEMINFO_VARS] = {};
    socklen_t length = sizeof(info);
    if (::getsockopt(s.fd.get(), SOL_SOCKET, SO_MEMINFO, info, &length) == 0 &&
        length > SK_MEMINFO_DROPS * sizeof(std::uint32_t)) {
      s.dropped = info[SK_MEMINFO_DROPS];
    }
  }
}

std::vector<std::uint16_t> UdpReceiver::Ports() const {
  std::vector<std::uint16_t> ports;
  for (const Socket& s : sockets_) {
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    ::getsockname(s.fd.get(), reinterpret_cast<sockaddr*>(&storage), &length);
    ports.push_back(ntohs(storage.ss_family == AF_INET
                              ? reinterpret_cast<const sockaddr_in*>(&storage)->sin_port
                              : reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port));
  }
  return ports;
}

}  // namespace edgewatch::io
