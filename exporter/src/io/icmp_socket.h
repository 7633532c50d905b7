#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "core/expected.h"
#include "io/unique_fd.h"
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

  Status Send(const net::Address& to, std::span<const std::byte> packet) const;

  struct Received {
    net::Address from;
    std::size_t size = 0;
  };
  // The next queued datagram, or nullopt when none is (or on an error).
  std::optional<Received> Receive(std::span<std::byte> buffer) const;

 private:
  IcmpSocket(UniqueFd fd, bool v6, bool raw) : fd_(std::move(fd)), v6_(v6), raw_(raw) {}

  UniqueFd fd_;
  bool v6_ = false;
  bool raw_ = false;
};

}  // namespace edgewatch::io
