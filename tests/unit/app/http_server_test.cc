#include "app/http_server.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <sstream>
#include <thread>

#include "testutil/fake_clock.h"

namespace edgewatch {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What zlib makes of a gzip stream: the independent check of Gzip().
std::string Gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out(1 << 20, '\0');
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Serve(HttpServerLimits{}); }

  void Serve(HttpServerLimits limits) {
    if (server_) {
      TearDown();
      io_.restart();
    }
    server_ = std::make_unique<HttpServer>(
        io_,
        [this](const HttpRequest& r, HttpRespond respond) {
          HttpResponse out;
          out.body = r.method + " " + r.target + " auth=" + r.authorization + "\n" +
                     std::string(2000, 'm');
          out.compressible = true;
          if (r.target == "/hold") {
            std::lock_guard<std::mutex> lock(held_mu_);
            held_.push_back(std::move(respond));  // answered when the test says
            return;
          }
          respond(std::move(out));
        },
        nullptr, limits, clock_, Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_),
        stats_);
    auto bound = server_->Listen({"127.0.0.1", 0});
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    port_ = bound->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(held_mu_);
      held_.clear();
    }
    server_->Close();
    io_.stop();
    thread_.join();
  }

  // A connection the server has answered once and keeps alive.
  tcp::socket ServedConnection() {
    tcp::socket s(client_io_);
    s.connect({asio::ip::address_v4::loopback(), port_});
    asio::write(s, asio::buffer(std::string("GET /a HTTP/1.1\r\nHost: a\r\n\r\n")));
    std::string reply;
    asio::read_until(s, asio::dynamic_buffer(reply), std::string(2000, 'm'));
    return s;
  }

  // True once the server has closed `s` (reads until EOF or a reset).
  static bool Closed(tcp::socket& s) {
    std::array<char, 4096> buf;
    boost::system::error_code ec;
    while (!ec) {
      s.read_some(asio::buffer(buf), ec);
    }
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  // Sends `request` as is on a new connection and reads until the server closes it.
  std::string Exchange(const std::string& request) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::address_v4::loopback(), port_});
    asio::write(s, asio::buffer(request));
    std::string reply;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(reply), ec);
    return reply;
  }

  asio::io_context io_;
  asio::io_context client_io_;
  testing::FakeClock clock_;
  std::ostringstream log_;
  HttpServerStats stats_;
  std::mutex held_mu_;
  std::vector<HttpRespond> held_;  // guarded by held_mu_
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(HttpServerTest, AnswersWithTheHandlersResponse) {
  const std::string reply = Exchange(
      "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Basic abc\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(reply.find("\r\n\r\nGET /metrics?x=1 auth=Basic abc\n"), std::string::npos) << reply;
}

TEST_F(HttpServerTest, GzipsWhenTheClientAcceptsIt) {
  const std::string reply = Exchange(
      "GET /metrics HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
  ASSERT_NE(reply.find("Content-Encoding: gzip\r\n"), std::string::npos) << reply;
  const std::string body = reply.substr(reply.find("\r\n\r\n") + 4);
  EXPECT_EQ(Gunzip(body).rfind("GET /metrics auth=\n", 0), 0u);
}

TEST_F(HttpServerTest, OversizedHeadersAreRefused) {
  const std::string reply =
      Exchange("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20000, 'x') + "\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 100);
}

// RFC 9112 lets a client send empty lines before a request; a request that is not HTTP gets 400.
TEST_F(HttpServerTest, SkipsLeadingEmptyLinesAndAnswersGarbageWith400) {
  const std::string reply =
      Exchange("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  const std::string garbage = Exchange("\x16\x03\x01 hello\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << garbage;
  EXPECT_EQ(stats_.malformed, 1u);
}

// At the ceiling a new connection closes the oldest idle one, not itself: idle clients cannot
// lock a scraper out.
TEST_F(HttpServerTest, AtTheCeilingTheOldestIdleConnectionMakesRoom) {
  HttpServerLimits limits;
  limits.max_connections = 2;
  Serve(limits);
  tcp::socket first = ServedConnection();
  tcp::socket second = ServedConnection();
  const std::string reply = Exchange("GET /new HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_TRUE(Closed(first));
  EXPECT_EQ(stats_.evicted, 1u);
  // The second is still served on its kept-alive connection.
  asio::write(second, asio::buffer(std::string("GET /b HTTP/1.1\r\nHost: a\r\n\r\n")));
  std::string again;
  asio::read_until(second, asio::dynamic_buffer(again), std::string(2000, 'm'));
  EXPECT_EQ(again.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << again;
}

// A connection that has not finished its request is as evictable as an idle one; one being
// answered is not: when every connection is being answered, the new one is refused.
TEST_F(HttpServerTest, ConnectionsBeingAnsweredAreNeverEvicted) {
  HttpServerLimits limits;
  limits.max_connections = 1;
  Serve(limits);
  tcp::socket slow(client_io_);
  slow.connect({asio::ip::address_v4::loopback(), port_});
  asio::write(slow, asio::buffer(std::string("GET /a HTTP/1.1\r\nHo")));  // unfinished
  tcp::socket held(client_io_);
  held.connect({asio::ip::address_v4::loopback(), port_});
  asio::write(held, asio::buffer(std::string("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")));
  EXPECT_TRUE(Closed(slow));  // evicted for the new one
  for (;;) {                  // the held request reaches the handler
    std::lock_guard<std::mutex> lock(held_mu_);
    if (!held_.empty()) {
      break;
    }
  }
  tcp::socket refused(client_io_);
  refused.connect({asio::ip::address_v4::loopback(), port_});
  asio::write(refused, asio::buffer(std::string("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")));
  EXPECT_TRUE(Closed(refused));
  EXPECT_EQ(stats_.refused, 1u);
  EXPECT_EQ(stats_.evicted, 1u);
  {
    std::lock_guard<std::mutex> lock(held_mu_);
    HttpResponse out;
    out.body = "late\n";
    held_.front()(std::move(out));
  }
  std::string reply;
  asio::read_until(held, asio::dynamic_buffer(reply), "late\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
}

TEST(GzipTest, RoundTripsThroughZlib) {
  const std::string text = "edgewatch_up 1\n" + std::string(10000, 'a');
  EXPECT_EQ(Gunzip(Gzip(text)), text);
  EXPECT_LT(Gzip(text).size(), text.size() / 10);
}

}  // namespace
}  // namespace edgewatch
