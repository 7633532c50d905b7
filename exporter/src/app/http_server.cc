#include "app/http_server.h"

#include <openssl/ssl.h>
#include <zlib.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <type_traits>

#include "app/web_config.h"

namespace edgewatch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// State shared by the listeners and sessions of one server.
struct HttpServerShared {
  HttpServerShared(HttpHandler h, std::shared_ptr<asio::ssl::context> t, HttpServerLimits l,
                   Logger log)
      : handler(std::move(h)), tls(std::move(t)), limits(l), logger(std::move(log)) {}

  HttpHandler handler;
  std::shared_ptr<asio::ssl::context> tls;
  HttpServerLimits limits;
  Logger logger;
  std::atomic<std::size_t> connections{0};
};

namespace {

constexpr std::chrono::seconds kShutdownTimeout{5};

std::string_view ToStd(beast::string_view v) { return {v.data(), v.size()}; }

bool AcceptsGzip(std::string_view accept_encoding) {
  // Good enough for "gzip", "gzip, deflate", "br;q=1.0, gzip;q=0.8"; q=0 is not honoured.
  return accept_encoding.find("gzip") != std::string_view::npos;
}

// One connection: reads requests one after another (keep-alive), answers each through the
// handler. Owned by the shared_ptrs its pending operations hold.
template <bool kTls>
class Session : public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServerShared> shared)
      : stream_(MakeStream(std::move(socket), *shared)), shared_(std::move(shared)) {}
  ~Session() { --shared_->connections; }

  void Run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Begin, this->shared_from_this()));
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, HttpServerShared& shared) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *shared.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (kTls) {
      Lowest().expires_after(shared_->limits.read_timeout);
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      Read();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      shared_->logger.Debug("TLS handshake failed", {{"err", ec.message()}});
      return;
    }
    Read();
  }

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
    parser_->body_limit(shared_->limits.max_body_bytes);
    Lowest().expires_after(shared_->limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) {
      Close();
      return;
    }
    if (ec == http::error::header_limit) {
      Fail(431, "request header fields too large\n");
      return;
    }
    if (ec == http::error::body_limit) {
      Fail(413, "request body too large\n");
      return;
    }
    if (ec) {
      return;  // timeout, reset or malformed request: drop the connection
    }
    const auto& req = parser_->get();
    HttpRequest request{std::string(req.method_string()), std::string(req.target()),
                        std::string(req[http::field::authorization])};
    HttpResponse out = shared_->handler(request);
    const bool head = req.method() == http::verb::head;
    if (out.compressible && AcceptsGzip(ToStd(req[http::field::accept_encoding]))) {
      out.body = Gzip(out.body);
      out.headers.emplace_back("Content-Encoding", "gzip");
    }
    if (out.compressible) {
      out.headers.emplace_back("Vary", "Accept-Encoding");
    }
    Send(std::move(out), req.version(), req.keep_alive(), head);
  }

  void Fail(unsigned status, std::string body) {
    HttpResponse out;
    out.status = status;
    out.body = std::move(body);
    Send(std::move(out), 11, false, false);
  }

  void Send(HttpResponse out, unsigned version, bool keep_alive, bool head) {
    response_ = {};
    response_.version(version);
    response_.result(out.status);
    response_.set(http::field::server, "edgewatch");
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) {
      response_.set(name, value);
    }
    response_.body() = std::move(out.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    if (head) {
      response_.body().clear();  // Content-Length stays that of the GET
    }
    Lowest().expires_after(shared_->limits.write_timeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), !keep_alive));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      return;
    }
    if (close) {
      Close();
      return;
    }
    Read();
  }

  void Close() {
    if constexpr (kTls) {
      Lowest().expires_after(kShutdownTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  std::shared_ptr<HttpServerShared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<HttpServerShared> shared)
      : io_(io), acceptor_(asio::make_strand(io)), shared_(std::move(shared)) {}

  Expected<tcp::endpoint> Open(const tcp::endpoint& endpoint, bool dual_stack) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec && dual_stack) {
      acceptor_.set_option(asio::ip::v6_only(false), ec);
    }
    if (!ec) {
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return Error{ec.message()};
    }
    return acceptor_.local_endpoint();
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void Close() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
      return;
    }
    if (ec) {
      shared_->logger.Warn("accept failed", {{"err", ec.message()}});
    } else if (shared_->connections >= shared_->limits.max_connections) {
      shared_->logger.Warn("too many connections; closing a new one");
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      ++shared_->connections;
      if (shared_->tls) {
        std::make_shared<Session<true>>(std::move(socket), shared_)->Run();
      } else {
        std::make_shared<Session<false>>(std::move(socket), shared_)->Run();
      }
    }
    Accept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<HttpServerShared> shared_;
};

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler,
                       std::shared_ptr<asio::ssl::context> tls, HttpServerLimits limits,
                       Logger logger)
    : io_(io),
      shared_(std::make_shared<HttpServerShared>(std::move(handler), std::move(tls), limits,
                                                 std::move(logger))) {}

HttpServer::~HttpServer() { Close(); }

Expected<tcp::endpoint> HttpServer::Listen(const ListenAddress& address) {
  auto listener = std::make_shared<Listener>(io_, shared_);
  Expected<tcp::endpoint> bound = Error{"no address"};
  if (address.host.empty()) {
    bound = listener->Open(tcp::endpoint(asio::ip::address_v6::any(), address.port), true);
    if (!bound) {  // no IPv6 on this host
      bound = listener->Open(tcp::endpoint(asio::ip::address_v4::any(), address.port), false);
    }
  } else {
    const auto ip =
        asio::ip::make_address(address.host == "localhost" ? "127.0.0.1" : address.host);
    bound = listener->Open(tcp::endpoint(ip, address.port), false);
  }
  if (!bound) {
    return Error{"cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " +
                 bound.error().message};
  }
  listener->Accept();
  listeners_.push_back(std::move(listener));
  return bound;
}

void HttpServer::Close() {
  for (auto& l : listeners_) {
    l->Close();
  }
  listeners_.clear();
}

Expected<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsServerConfig& config) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  static constexpr std::pair<std::string_view, int> kVersions[] = {{"TLS10", TLS1_VERSION},
                                                                   {"TLS11", TLS1_1_VERSION},
                                                                   {"TLS12", TLS1_2_VERSION},
                                                                   {"TLS13", TLS1_3_VERSION}};
  for (const auto& [name, version] : kVersions) {
    if (name == config.min_version) {
      SSL_CTX_set_min_proto_version(ctx->native_handle(), version);
    }
    if (name == config.max_version) {
      SSL_CTX_set_max_proto_version(ctx->native_handle(), version);
    }
  }
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  beast::error_code ec;
  ctx->use_certificate_chain_file(config.cert_file, ec);
  if (ec) {
    return Error{"tls_server_config.cert_file " + config.cert_file + ": " + ec.message()};
  }
  ctx->use_private_key_file(config.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return Error{"tls_server_config.key_file " + config.key_file + ": " + ec.message()};
  }
  if (config.client_auth_type != "NoClientCert") {
    ctx->load_verify_file(config.client_ca_file, ec);
    if (ec) {
      return Error{"tls_server_config.client_ca_file " + config.client_ca_file + ": " +
                   ec.message()};
    }
    ctx->set_verify_mode(config.client_auth_type == "RequireAndVerifyClientCert"
                             ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert
                             : asio::ssl::verify_peer);
  }
  return ctx;
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace edgewatch
