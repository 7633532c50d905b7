#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/unique_fd.h"
#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace edgewatch::io {

// Where a UDP socket listens: `address` empty for every address, IPv4 and IPv6.
struct UdpEndpoint {
  std::optional<net::Address> address;
  std::uint16_t port = 0;
};
std::string FormatEndpoint(const UdpEndpoint& endpoint);

// Datagrams from bound UDP sockets, a batch at a time (recvmmsg), each with its sender, and
// the datagrams the kernel dropped for a full receive buffer (SO_MEMINFO). One thread uses it.
class UdpReceiver {
 public:
  // One datagram longer than this is cut short (kTruncated): flow exporters stay under the
  // path MTU, and jumbo frames are 9000 bytes.
  static constexpr std::size_t kMaxDatagram = 9216;
  static constexpr std::size_t kBatch = 32;

  // Binds every endpoint (an empty address: one dual-stack IPv6 socket); fails naming the
  // endpoint and the reason. `receive_buffer_bytes` is asked of the kernel (SO_RCVBUF).
  static Expected<UdpReceiver> Bind(const std::vector<UdpEndpoint>& endpoints,
                                    int receive_buffer_bytes);

  using OnDatagram =
      std::function<void(const net::Address& sender, std::span<const std::byte>, bool truncated)>;
  // Waits up to `timeout` for datagrams on any socket and hands each that arrived to
  // `on_datagram` (IPv4-mapped senders as IPv4). Returns how many.
  std::size_t Receive(std::chrono::milliseconds timeout, const OnDatagram& on_datagram);

  // Datagrams received so far on the `endpoint`th of Bind's endpoints.
  std::uint64_t Received(std::size_t endpoint) const { return sockets_.at(endpoint).received; }
  // Datagrams the kernel dropped on it, as Receive() last read them: a getsockopt per socket,
  // so at most every 100 ms, not at every wake-up of a quiet listener (the first one reads).
  std::uint64_t KernelDrops(std::size_t endpoint) const { return sockets_.at(endpoint).dropped; }
  // The port each socket got (the configured one, or the kernel's choice for port 0).
  std::vector<std::uint16_t> Ports() const;

 private:
  struct Socket {
    UniqueFd fd;
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
  };
  UdpReceiver() = default;
  std::size_t Drain(Socket& socket, const OnDatagram& on_datagram, bool wait);
  std::size_t Wait(std::chrono::milliseconds timeout, const OnDatagram& on_datagram);
  void ReadDrops();

  std::vector<Socket> sockets_;
  std::optional<std::chrono::milliseconds> wait_;  // SO_RCVTIMEO of a lone socket, once set
  std::optional<std::chrono::steady_clock::time_point> drops_read_;
  // Reused by every Receive(): kBatch buffers and their headers.
  std::vector<std::byte> buffers_;
  std::vector<sockaddr_storage> senders_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> headers_;
};

}  // namespace edgewatch::io
