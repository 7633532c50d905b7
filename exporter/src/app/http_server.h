#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/web_config.h"
#include "config/values.h"
#include "core/logger.h"
#include "parsers/expected.h"

namespace edgewatch {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  std::string authorization;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool compressible = false;  // gzip it when the client accepts gzip
};

// Called on an I/O thread for each request; must not throw.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerLimits {
  std::size_t max_connections = 64;  // more are closed at accept
  std::size_t max_header_bytes = 8192;
  std::size_t max_body_bytes = 4096;
  std::chrono::seconds read_timeout{30};  // per request, TLS handshake included
  std::chrono::seconds write_timeout{60};
};

struct HttpServerShared;

// A small HTTP/1.1 server on Boost.Beast, plain or TLS, with keep-alive, bounded requests and
// connections, and timeouts. It runs on the io_context it is given (run it on several threads:
// a handler may block for the length of a scrape).
class HttpServer {
 public:
  // `tls` null: plain HTTP. Otherwise every listener speaks TLS only.
  HttpServer(boost::asio::io_context& io, HttpHandler handler,
             std::shared_ptr<boost::asio::ssl::context> tls, HttpServerLimits limits,
             Logger logger);
  ~HttpServer();

  // Binds and starts accepting. An empty host means every address (IPv6 dual-stack, or IPv4
  // where IPv6 is unavailable). Returns the bound endpoint, so port 0 can be used.
  Expected<boost::asio::ip::tcp::endpoint> Listen(const ListenAddress& address);

  // Stops accepting; open connections finish their current request.
  void Close();

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
