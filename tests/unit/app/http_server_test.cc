#include "app/http_server.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
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
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(
        io_,
        [](const HttpRequest& r) {
          HttpResponse out;
          out.body = r.method + " " + r.target + " auth=" + r.authorization + "\n" +
                     std::string(2000, 'm');
          out.compressible = true;
          return out;
        },
        nullptr, HttpServerLimits{}, Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_));
    auto bound = server_->Listen({"127.0.0.1", 0});
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    port_ = bound->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->Close();
    io_.stop();
    thread_.join();
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
  testing::FakeClock clock_;
  std::ostringstream log_;
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

TEST(GzipTest, RoundTripsThroughZlib) {
  const std::string text = "edgewatch_up 1\n" + std::string(10000, 'a');
  EXPECT_EQ(Gunzip(Gzip(text)), text);
  EXPECT_LT(Gzip(text).size(), text.size() / 10);
}

}  // namespace
}  // namespace edgewatch
