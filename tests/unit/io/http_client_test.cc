#include "io/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "testutil/fake_clock.h"

namespace edgewatch::io {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A server on 127.0.0.1 that answers each connection with `reply` once it has read the request
// head (or never answers, with an empty `reply`).
class TinyServer {
 public:
  explicit TinyServer(std::string reply)
      : reply_(std::move(reply)), acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TinyServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string last_request() const { return last_request_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) {
        return;
      }
      auto socket = std::make_shared<tcp::socket>(std::move(s));
      auto buf = std::make_shared<asio::streambuf>();
      asio::async_read_until(
          *socket, *buf, "\r\n\r\n", [this, socket, buf](boost::system::error_code e, std::size_t) {
            if (e) {
              return;
            }
            last_request_ =
                std::string(asio::buffers_begin(buf->data()), asio::buffers_end(buf->data()));
            if (!reply_.empty()) {
              asio::async_write(*socket, asio::buffer(reply_),
                                [socket](boost::system::error_code, std::size_t) {
                                  boost::system::error_code ignored;
                                  socket->shutdown(tcp::socket::shutdown_both, ignored);
                                });
            } else {
              held_.push_back(socket);  // holds it open, silent
            }
          });
      Accept();
    });
  }

  std::string reply_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<tcp::socket>> held_;
  std::string last_request_;  // written on the server thread, read after FetchAll returned
  std::thread thread_;
};

// A keep-alive server: answers every request of a connection ("Connection: close" and a close
// after each answer with `close_each`), counts the connections it accepted, and can close the
// idle ones, as Apache does after KeepAliveTimeout.
class KeepAliveServer {
 public:
  explicit KeepAliveServer(bool close_each = false)
      : close_each_(close_each), acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~KeepAliveServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  // Closes every connection waiting for its next request; returns once done.
  void CloseIdle() {
    std::promise<void> done;
    asio::post(io_, [this, &done] {
      for (auto& s : open_) {
        boost::system::error_code ignored;
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
      }
      open_.clear();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) {
        return;
      }
      ++accepted_;
      auto socket = std::make_shared<tcp::socket>(std::move(s));
      open_.push_back(socket);
      Serve(socket, std::make_shared<asio::streambuf>());
      Accept();
    });
  }
  void Serve(std::shared_ptr<tcp::socket> socket, std::shared_ptr<asio::streambuf> buf) {
    asio::async_read_until(
        *socket, *buf, "\r\n\r\n", [this, socket, buf](boost::system::error_code e, std::size_t n) {
          if (e) {
            return;
          }
          buf->consume(n);
          ++requests_;
          static const std::string kKeep = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
          static const std::string kClose =
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
          asio::async_write(*socket, asio::buffer(close_each_ ? kClose : kKeep),
                            [this, socket, buf](boost::system::error_code w, std::size_t) {
                              if (w || close_each_) {
                                boost::system::error_code ignored;
                                socket->shutdown(tcp::socket::shutdown_both, ignored);
                                return;
                              }
                              Serve(socket, buf);
                            });
        });
  }

  bool close_each_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<tcp::socket>> open_;  // on the server thread
  std::atomic<int> accepted_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

HttpGet Get(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  HttpGet g;
  g.host = "127.0.0.1";
  g.port = port;
  g.target = "/server-status?auto";
  g.host_header = "www.example.org";
  g.authorization = "Basic cHJvbTpzM2NyZXQ=";
  g.timeout = timeout;
  return g;
}

TEST(HttpClientTest, FetchesConcurrentlyEachWithinItsOwnTimeout) {
  TinyServer ok("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  TinyServer silent("");
  TinyServer missing("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  SystemClock clock;
  HttpClient client(clock);
  const auto replies = client.FetchAll(
      {Get(ok.port()), Get(silent.port(), std::chrono::milliseconds(200)), Get(missing.port())});
  ASSERT_EQ(replies.size(), 3u);
  ASSERT_TRUE(replies[0].ok()) << replies[0].error().message;
  EXPECT_EQ(replies[0]->status, 200u);
  EXPECT_EQ(replies[0]->body, "hello");
  EXPECT_FALSE(replies[1].ok());  // the silent one timed out, and held nobody else up
  ASSERT_TRUE(replies[2].ok());
  EXPECT_EQ(replies[2]->status, 404u);
  EXPECT_EQ(replies[2]->reason, "Not Found");
  const std::string request = ok.last_request();
  EXPECT_EQ(request.rfind("GET /server-status?auto HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Host: www.example.org\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("Authorization: Basic cHJvbTpzM2NyZXQ=\r\n"), std::string::npos);
}

TEST(HttpClientTest, RefusedAndOversizedRepliesAreErrors) {
  std::uint16_t closed = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, {asio::ip::address_v4::loopback(), 0});
    closed = a.local_endpoint().port();
  }
  TinyServer big("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n" +
                 std::string(100, 'x'));
  HttpGet small = Get(big.port());
  small.max_body_bytes = 10;
  SystemClock clock;
  HttpClient client(clock);
  const auto replies = client.FetchAll({Get(closed), small});
  EXPECT_FALSE(replies[0].ok());
  EXPECT_FALSE(replies[1].ok());
}

// Scrapes reuse each server's connection; one idle past max_idle, one the server closed while
// idle (its next request fails before any reply: retried on a fresh one, no error), and a
// server that says "Connection: close" each get a new one.
TEST(HttpClientTest, KeepsConnectionsBetweenFetches) {
  testing::FakeClock clock;
  KeepAliveServer server;
  HttpClient client(clock, std::chrono::seconds(4));
  const std::vector<HttpGet> gets = {Get(server.port())};
  const auto fetch_ok = [&] {
    const auto replies = client.FetchAll(gets);
    ASSERT_TRUE(replies[0].ok()) << replies[0].error().message;
    EXPECT_EQ(replies[0]->body, "ok");
  };
  for (int i = 0; i < 3; ++i) {
    fetch_ok();
    clock.Advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(client.connections_opened(), 1u);
  clock.Advance(std::chrono::seconds(4));  // idle 5 s: not reused
  fetch_ok();
  EXPECT_EQ(server.accepted(), 2);
  server.CloseIdle();  // the server's keep-alive timeout
  fetch_ok();
  EXPECT_EQ(server.accepted(), 3);
  EXPECT_EQ(server.requests(), 5);

  KeepAliveServer closing(true);
  const std::vector<HttpGet> close_gets = {Get(closing.port())};
  for (int i = 0; i < 3; ++i) {
    const auto replies = client.FetchAll(close_gets);
    ASSERT_TRUE(replies[0].ok()) << replies[0].error().message;
  }
  EXPECT_EQ(closing.accepted(), 3);

  // Asked not to keep it (a prefork Apache): a new connection each time, to a server that would.
  KeepAliveServer willing;
  std::vector<HttpGet> no_keep = {Get(willing.port())};
  no_keep[0].keep_alive = false;
  for (int i = 0; i < 3; ++i) {
    const auto replies = client.FetchAll(no_keep);
    ASSERT_TRUE(replies[0].ok()) << replies[0].error().message;
  }
  EXPECT_EQ(willing.accepted(), 3);
}

}  // namespace
}  // namespace edgewatch::io
