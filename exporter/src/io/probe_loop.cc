#include "io/probe_loop.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace edgewatch::io {
namespace {

namespace asio = boost::asio;

net::Address FromAsio(const asio::ip::address& a) {
  net::Address out;
  if (a.is_v6()) {
    out.v6 = true;
    const auto bytes = a.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  } else {
    const auto bytes = a.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  }
  return out;
}

asio::ip::address ToAsio(const net::Address& a) {
  if (a.v6) {
    asio::ip::address_v6::bytes_type b;
    std::copy(a.bytes.begin(), a.bytes.end(), b.begin());
    return asio::ip::address_v6(b);
  }
  asio::ip::address_v4::bytes_type b;
  std::copy(a.bytes.begin(), a.bytes.begin() + 4, b.begin());
  return asio::ip::address_v4(b);
}

}  // namespace

class ProbeLoop::AsioResolver final : public Resolver {
 public:
  explicit AsioResolver(asio::io_context& io) : resolver_(io) {}

  void Resolve(const std::string& host, Done done) override {
    resolver_.async_resolve(
        host, "",
        [done = std::move(done)](const boost::system::error_code& ec,
                                 const asio::ip::udp::resolver::results_type& results) {
          if (ec) {
            done(Error{ec.message()});
            return;
          }
          std::vector<net::Address> addresses;
          for (const auto& entry : results) {
            addresses.push_back(FromAsio(entry.endpoint().address()));
          }
          done(std::move(addresses));
        });
  }

 private:
  asio::ip::udp::resolver resolver_;
};

class ProbeLoop::AsioTcpConnector final : public TcpConnector {
 public:
  explicit AsioTcpConnector(asio::io_context& io) : io_(io) {}

  void Connect(const net::Address& to, std::uint16_t port, std::chrono::milliseconds timeout,
               Done done) override {
    struct Attempt {
      asio::ip::tcp::socket socket;
      asio::steady_timer deadline;
    };
    auto attempt =
        std::make_shared<Attempt>(Attempt{asio::ip::tcp::socket(io_), asio::steady_timer(io_)});
    attempt->deadline.expires_after(timeout);
    attempt->deadline.async_wait([attempt](const boost::system::error_code& ec) {
      if (!ec) {
        boost::system::error_code ignored;
        attempt->socket.close(ignored);
      }
    });
    attempt->socket.async_connect(
        asio::ip::tcp::endpoint(ToAsio(to), port),
        [attempt, done = std::move(done)](const boost::system::error_code& ec) {
          attempt->deadline.cancel();
          done(!ec);
        });
  }

 private:
  asio::io_context& io_;
};

struct ProbeLoop::Timer {
  asio::steady_timer timer;
};

ProbeLoop::ProbeLoop(Logger logger, std::chrono::milliseconds tick)
    : tick_(tick), io_(std::make_unique<asio::io_context>()) {
  pinger_ = std::make_unique<IcmpPinger>(
      *io_, std::move(logger),
      [this](const net::Address& from, std::uint16_t seq) { on_reply_(from, seq); });
  resolver_ = std::make_unique<AsioResolver>(*io_);
  tcp_ = std::make_unique<AsioTcpConnector>(*io_);
  timer_ = std::make_unique<Timer>(Timer{asio::steady_timer(*io_)});
}

ProbeLoop::~ProbeLoop() {
  Stop();
  // The asio objects go before the io_context they were made on.
  timer_.reset();
  tcp_.reset();
  resolver_.reset();
  pinger_.reset();
}

Pinger& ProbeLoop::pinger() { return *pinger_; }
std::uint64_t ProbeLoop::RejectedReplies() const { return pinger_->rejected(); }
Resolver& ProbeLoop::resolver() { return *resolver_; }
TcpConnector& ProbeLoop::tcp() { return *tcp_; }

void ProbeLoop::Start(EchoReplyHandler on_reply, std::function<void()> on_tick) {
  on_reply_ = std::move(on_reply);
  on_tick_ = std::move(on_tick);
  thread_ = std::thread([this] {
    Tick();
    io_->run();
  });
}

void ProbeLoop::Tick() {
  on_tick_();
  // Measured from the end of this tick: a stalled tick gives no burst of catch-up ticks.
  timer_->timer.expires_after(tick_);
  timer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      Tick();
    }
  });
}

void ProbeLoop::Stop() {
  io_->stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace edgewatch::io
