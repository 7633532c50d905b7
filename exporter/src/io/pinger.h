#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/logger.h"
#include "io/icmp_socket.h"
#include "parsers/icmp/echo.h"
#include "parsers/net/address.h"

namespace boost::asio {
class io_context;
}

namespace edgewatch::io {

// One ICMP echo request to send.
struct EchoProbe {
  net::Address to;
  std::optional<net::Address> source;  // none: the route's
  int ttl = 0;                         // IP TTL / hop limit; 0: the system default
  std::size_t size = 64;               // ICMP message bytes (header + payload)
  std::uint16_t seq = 0;
};

// Sends echo requests; replies reach the handler its implementation was given. The seam the BGP
// schedule is tested through.
class Pinger {
 public:
  virtual ~Pinger() = default;
  // Sends `probes` in as few system calls as they allow. `errors[i]` becomes 0 for a probe that
  // left and an errno value for one that did not (also when no socket could be opened).
  virtual void Send(std::span<const EchoProbe> probes, std::span<int> errors) = 0;
};

// An echo reply from `from` to the probe with sequence `seq`.
using EchoReplyHandler = std::function<void(const net::Address& from, std::uint16_t seq)>;

// The real pinger: one ICMP socket per address family and source address (raw, or the
// unprivileged ping socket), opened on first use and read on `io`'s thread, where `on_reply`
// runs. A reply counts only on the socket its request left from, with this pinger's identifier
// (raw sockets see every reply on the host). A socket that cannot open is logged once per
// distinct error and tried again with the next probe. Not thread-safe: use it on `io`'s thread.
class IcmpPinger final : public Pinger {
 public:
  IcmpPinger(boost::asio::io_context& io, Logger logger, EchoReplyHandler on_reply);
  ~IcmpPinger() override;

  void Send(std::span<const EchoProbe> probes, std::span<int> errors) override;

  // Replies refused since start: edgewatch's magic with another cookie (spoofed, or another
  // edgewatch's). Thread-safe.
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  struct Socket;

  Socket* SocketFor(bool v6, const std::optional<net::Address>& source);
  void Read(Socket& s);
  // Sends probes[from, to), all for `s` with one TTL.
  void SendBatch(Socket& s, std::span<const EchoProbe> probes, std::span<int> errors);

  boost::asio::io_context& io_;
  Logger logger_;
  EchoReplyHandler on_reply_;
  std::uint16_t id_;
  icmp::Cookie cookie_;
  std::atomic<std::uint64_t> rejected_{0};
  std::vector<std::byte> in_;   // kBatch datagrams of up to kMaxPacket
  std::vector<std::byte> out_;  // likewise, for one batch of requests
  std::map<std::pair<bool, std::optional<net::Address>>, std::unique_ptr<Socket>> sockets_;
  std::vector<const Socket*> sent_via_;  // by sequence
  std::set<std::string> open_errors_;
};

}  // namespace edgewatch::io
