#pragma once

#include <cstddef>
#include <span>

#include "io/unique_fd.h"
#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace edgewatch::io {

// An ICMP (v4) or ICMPv6 socket for echo probes: raw when the process has CAP_NET_RAW,
// otherwise the kernel's unprivileged ping socket (allowed by net.ipv4.ping_group_range), on
// which the kernel sets the echo identifier itself. Non-blocking. Move-only.
class IcmpSocket {
 public:
  static Expected<IcmpSocket> Open(bool v6);

  bool v6() const { return v6_; }
  // Raw IPv4 sockets receive the IP header in front of the ICMP message.
  bool with_ip_header() const { return raw_ && !v6_; }
  bool raw() const { return raw_; }
  int fd() const { return fd_.get(); }

  // Sends from `source` (an address of this host).
  Status Bind(const net::Address& source) const;
  // The IP TTL / hop limit of what is sent from now on; 0: the route's default.
  Status SetTtl(int ttl) const;

  // Most batches are one tick's probes: a few per socket.
  static constexpr std::size_t kBatch = 32;

  struct Outgoing {
    net::Address to;
    std::span<const std::byte> packet;
  };
  struct SendResult {
    std::size_t sent = 0;  // packets[0, sent) left
    int error = 0;         // errno of packets[sent], if sent < packets.size()
  };
  // Sends up to kBatch packets in one system call; stops at the first that fails.
  SendResult Send(std::span<const Outgoing> packets) const;

  struct Received {
    net::Address from;
    std::span<const std::byte> data;
  };
  // Reads up to kBatch queued datagrams in one system call, each into its own `each`-byte slice
  // of `buffers`; returns how many (0 when none is queued, or on an error).
  std::size_t Receive(std::span<std::byte> buffers, std::size_t each,
                      std::span<Received, kBatch> out) const;

 private:
  IcmpSocket(UniqueFd fd, bool v6, bool raw) : fd_(std::move(fd)), v6_(v6), raw_(raw) {}

  UniqueFd fd_;
  bool v6_ = false;
  bool raw_ = false;
};

}  // namespace edgewatch::io
