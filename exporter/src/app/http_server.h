#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/web_config.h"
#include "config/values.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/metric_sink.h"
#include "parsers/expected.h"

namespace edgewatch {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  std::string authorization;
  std::string accept;  // the Accept header: which exposition format the scraper wants
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool compressible = false;  // gzip it when the client accepts gzip
};

// Hands a request's response back: callable once, from any thread.
using HttpRespond = std::function<void(HttpResponse)>;
// Called on an I/O thread for each request. It must not block (slow work goes to a WorkPool,
// which calls `respond` when done) and must not throw.
using HttpHandler = std::function<void(const HttpRequest&, HttpRespond respond)>;

struct HttpServerLimits {
  // Open connections at most. At the ceiling a new connection closes the oldest one that is idle
  // or has not finished its request; only when every connection is being answered is the new one
  // closed instead. Idle and slow clients thus never lock a scraper out.
  std::size_t max_connections = 10000;
  std::size_t max_header_bytes = 8192;
  std::size_t max_body_bytes = 4096;
  // From accept (TLS handshake included), or from the first byte of a kept-alive connection's
  // next request, to the end of that request.
  std::chrono::seconds header_timeout{10};
  // A kept-alive connection waiting for its next request.
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds write_timeout{60};
};

// What the server counts about its connections (edgewatch_web_*). Shared with whoever exports
// it; every field is updated atomically.
struct HttpServerStats {
  std::atomic<std::uint64_t> accept_errors{0};
  std::atomic<std::uint64_t> refused{0};    // closed at accept: every connection was busy
  std::atomic<std::uint64_t> evicted{0};    // idle or unfinished, closed to make room
  std::atomic<std::uint64_t> timed_out{0};  // header, idle or write timeout
  std::atomic<std::uint64_t> malformed{0};  // answered 400
  std::atomic<std::int64_t> open{0};
};

void AddHttpServerMetrics(MetricSink& sink, const HttpServerStats& stats);
MetricCatalogue HttpServerMetrics();

struct HttpServerShared;

// A small HTTP/1.1 server on Boost.Beast, plain or TLS, with keep-alive, bounded requests and
// connections, and timeouts. It runs on the io_context it is given; nothing it does blocks.
// Accept errors (EMFILE) back off on a timer; its warnings are rate-limited.
class HttpServer {
 public:
  // `tls` null: plain HTTP. Otherwise every listener speaks TLS only. `clock` and `stats` must
  // outlive the server and its connections.
  HttpServer(boost::asio::io_context& io, HttpHandler handler,
             std::shared_ptr<boost::asio::ssl::context> tls, HttpServerLimits limits,
             const Clock& clock, Logger logger, HttpServerStats& stats);
  ~HttpServer();

  // Binds and starts accepting. An empty host means every address (IPv6 dual-stack, or IPv4
  // where IPv6 is unavailable). Returns the bound endpoint, so port 0 can be used.
  Expected<boost::asio::ip::tcp::endpoint> Listen(const ListenAddress& address);
  // Starts accepting on a socket that is bound and listening already (socket activation); the
  // server owns it from here.
  Expected<boost::asio::ip::tcp::endpoint> Adopt(int fd, bool v6);

  // Stops accepting; open connections finish their current request.
  void Close();

  // The TLS context (null: plain HTTP) for connections accepted from now on; open ones keep
  // theirs. For a web config that changed (a renewed certificate). Thread-safe.
  void SetTls(std::shared_ptr<boost::asio::ssl::context> tls);

 private:
  class Listener;

  boost::asio::io_context& io_;
  std::shared_ptr<HttpServerShared> shared_;
  std::vector<std::shared_ptr<Listener>> listeners_;
};

// Builds the TLS context for a listener; errors name the file that failed.
Expected<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const TlsServerConfig& config);

// gzip (RFC 1952) of `data` with zlib.
std::string Gzip(std::string_view data);

}  // namespace edgewatch
