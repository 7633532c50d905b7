#include "io/probe_loop.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <mutex>
#include <sstream>

#include "testutil/fake_clock.h"

namespace edgewatch::io {
namespace {

// Waits (bounded) for answers that arrive on the loop's thread.
class Answers {
 public:
  void Add(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    got_.push_back(std::move(what));
    cv_.notify_all();
  }
  std::vector<std::string> Wait(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return got_.size() >= n; });
    return got_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> got_;
};

TEST(ProbeLoopTest, TicksResolvesAndConnectsOnItsThread) {
  // A listening port and a closed one on loopback.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor open(io, {boost::asio::ip::address_v4::loopback(), 0});
  std::uint16_t closed_port = 0;
  {
    boost::asio::ip::tcp::acceptor closed(io, {boost::asio::ip::address_v4::loopback(), 0});
    closed_port = closed.local_endpoint().port();
  }
  testing::FakeClock clock;
  std::ostringstream log;
  ProbeLoop loop(Logger(log, LogLevel::kDebug, LogFormat::kLogfmt, clock),
                 std::chrono::milliseconds(5));
  Answers answers;
  int ticks = 0;  // on the loop's thread only
  const auto loopback = *net::ParseAddress("127.0.0.1");
  loop.Start([](const net::Address&, std::uint16_t) {},
             [&] {
               if (++ticks == 1) {
                 loop.resolver().Resolve("localhost", [&](Expected<std::vector<net::Address>> r) {
                   const bool has = r && std::find(r->begin(), r->end(), loopback) != r->end();
                   answers.Add(has ? "resolved" : "not resolved");
                 });
                 loop.tcp().Connect(loopback, open.local_endpoint().port(), std::chrono::seconds(5),
                                    [&](bool up) { answers.Add(up ? "open up" : "open down"); });
                 loop.tcp().Connect(loopback, closed_port, std::chrono::seconds(5), [&](bool up) {
                   answers.Add(up ? "closed up" : "closed down");
                 });
               } else if (ticks == 3) {
                 answers.Add("ticked");
               }
             });
  auto got = answers.Wait(4);
  loop.Stop();
  std::sort(got.begin(), got.end());
  // A name that does not resolve is left to the schedule's tests: it would ask a DNS server.
  EXPECT_EQ(got, (std::vector<std::string>{"closed down", "open up", "resolved", "ticked"}));
}

}  // namespace
}  // namespace edgewatch::io
