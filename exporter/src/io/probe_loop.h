#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/logger.h"
#include "io/pinger.h"
#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace boost::asio {
class io_context;
}

namespace edgewatch::io {

// Name resolution for probes. The answer arrives later, on the loop's thread.
class Resolver {
 public:
  using Done = std::function<void(Expected<std::vector<net::Address>> addresses)>;
  virtual ~Resolver() = default;
  virtual void Resolve(const std::string& host, Done done) = 0;
};

// TCP connection checks: whether `to`:`port` accepts a connection within `timeout`. The answer
// arrives later, on the loop's thread.
class TcpConnector {
 public:
  using Done = std::function<void(bool connected)>;
  virtual ~TcpConnector() = default;
  virtual void Connect(const net::Address& to, std::uint16_t port,
                       std::chrono::milliseconds timeout, Done done) = 0;
};

// One thread for network probes: an io_context with an ICMP pinger, a resolver and a TCP
// connector on it, and a tick every `tick` that runs `on_tick`. Replies, answers and ticks all
// run on that thread, so what they touch needs no lock among them. Stop() (or the destructor)
// ends the thread; handlers still pending are dropped, not run.
class ProbeLoop {
 public:
  ProbeLoop(Logger logger, std::chrono::milliseconds tick);
  ~ProbeLoop();

  Pinger& pinger();
  // Replies the pinger refused (IcmpPinger::rejected()). Thread-safe.
  std::uint64_t RejectedReplies() const;
  Resolver& resolver();
  TcpConnector& tcp();

  // Starts the thread: `on_reply` for each echo reply, `on_tick` at once and every tick.
  void Start(EchoReplyHandler on_reply, std::function<void()> on_tick);
  void Stop();

 private:
  class AsioResolver;
  class AsioTcpConnector;

  void Tick();

  std::chrono::milliseconds tick_;
  std::unique_ptr<boost::asio::io_context> io_;
  EchoReplyHandler on_reply_;
  std::function<void()> on_tick_;
  std::unique_ptr<IcmpPinger> pinger_;
  std::unique_ptr<AsioResolver> resolver_;
  std::unique_ptr<AsioTcpConnector> tcp_;
  struct Timer;
  std::unique_ptr<Timer> timer_;
  std::thread thread_;
};

}  // namespace edgewatch::io
