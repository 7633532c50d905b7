#include "app/http_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <zlib.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <type_traits>

#include "app/web_config.h"

namespace edgewatch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr MetricDesc kConnections{"edgewatch_web_connections", prometheus::MetricType::Gauge,
                                  "HTTP connections open now."};
constexpr MetricDesc kAcceptErrors{
    "edgewatch_web_accept_errors_total", prometheus::MetricType::Counter,
    "accept() failures (EMFILE and the like); accepting backs off while they last."};
constexpr MetricDesc kConnectionsRefused{
    "edgewatch_web_connections_refused_total", prometheus::MetricType::Counter,
    "Connections closed at accept because every open connection was being answered."};
constexpr MetricDesc kConnectionsEvicted{
    "edgewatch_web_connections_evicted_total", prometheus::MetricType::Counter,
    "Idle or unfinished connections closed to make room for a new one."};
constexpr MetricDesc kConnectionTimeouts{
    "edgewatch_web_connection_timeouts_total", prometheus::MetricType::Counter,
    "Connections closed for taking too long to send a request, to send its next one, or to "
    "read the answer."};
constexpr MetricDesc kMalformedRequests{"edgewatch_web_malformed_requests_total",
                                        prometheus::MetricType::Counter,
                                        "Requests answered 400 because they were not HTTP/1.x."};
constexpr const MetricDesc* kMetrics[] = {&kConnections,        &kAcceptErrors,
                                          &kConnectionsRefused, &kConnectionsEvicted,
                                          &kConnectionTimeouts, &kMalformedRequests};

constexpr std::chrono::seconds kShutdownTimeout{5};
constexpr std::chrono::milliseconds kMinAcceptBackoff{10};
constexpr std::chrono::milliseconds kMaxAcceptBackoff{1000};
constexpr std::chrono::seconds kWarnEvery{10};
constexpr std::size_t kReadChunk = 1024;

enum class Phase {
  kUnfinished,  // TLS handshake, request or answer under way: may be evicted
  kIdle,        // kept alive, waiting for the next request: may be evicted
  kBusy,        // the handler is answering: never evicted (bounded by the handler's pools)
};

// What the connection table knows of a session; the session is one of the templates below.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection from its own strand.
  virtual void Evict() = 0;

 private:
  friend struct edgewatch::HttpServerShared;
  struct Tracked {
    std::weak_ptr<SessionBase> session;
    Phase phase;
  };
  std::list<Tracked>::iterator slot_;  // guarded by HttpServerShared::mu
  bool tracked_ = false;               // guarded by HttpServerShared::mu
};

// At most one warning per kWarnEvery, with how many were held back, so a flood of failed accepts
// cannot flood the log (it once wrote 260 MB in 20 s).
class WarnGate {
 public:
  void Warn(const Clock& clock, const Logger& logger, std::string_view msg, std::string_view err) {
    std::uint64_t suppressed = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto now = clock.Monotonic();
      if (last_ && now - *last_ < kWarnEvery) {
        ++suppressed_;
        return;
      }
      last_ = now;
      suppressed = std::exchange(suppressed_, 0);
    }
    logger.Warn(msg, {{"err", err}, {"suppressed", std::to_string(suppressed)}});
  }

 private:
  std::mutex mu_;
  std::optional<Clock::MonotonicTime> last_;  // guarded by mu_
  std::uint64_t suppressed_ = 0;              // guarded by mu_
};

}  // namespace

// State shared by the listeners and sessions of one server: the handler and the table of open
// connections, oldest phase change first.
struct HttpServerShared {
  HttpServerShared(HttpHandler h, std::shared_ptr<asio::ssl::context> t, HttpServerLimits l,
                   const Clock& c, Logger log, HttpServerStats& s)
      : handler(std::move(h)),
        tls(std::move(t)),
        limits(l),
        clock(c),
        logger(std::move(log)),
        stats(s) {}

  // Takes `session` into the table; at the ceiling closes the oldest evictable connection for
  // it. False when every connection is busy: the caller drops the new one.
  bool Admit(const std::shared_ptr<SessionBase>& session) {
    std::shared_ptr<SessionBase> victim;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (table.size() >= limits.max_connections) {
        victim = TakeOldestEvictable();
        if (!victim) {
          return false;
        }
      }
      session->slot_ = table.insert(table.end(), {session, Phase::kUnfinished});
      session->tracked_ = true;
      stats.open = static_cast<std::int64_t>(table.size());
    }
    if (victim) {
      ++stats.evicted;
      victim->Evict();
    }
    return true;
  }

  // Frees a descriptor when accept() ran out of them.
  void EvictOldest() {
    std::shared_ptr<SessionBase> victim;
    {
      std::lock_guard<std::mutex> lock(mu);
      victim = TakeOldestEvictable();
    }
    if (victim) {
      ++stats.evicted;
      victim->Evict();
    }
  }

  void SetPhase(SessionBase& session, Phase phase) {
    std::lock_guard<std::mutex> lock(mu);
    if (session.tracked_) {
      session.slot_->phase = phase;
      table.splice(table.end(), table, session.slot_);
    }
  }

  // The TLS context new connections get (null: plain HTTP); SetTls() may change it at any time.
  std::shared_ptr<asio::ssl::context> Tls() {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls;
  }

  void Forget(SessionBase& session) {
    std::lock_guard<std::mutex> lock(mu);
    if (session.tracked_) {
      table.erase(session.slot_);
      session.tracked_ = false;
      stats.open = static_cast<std::int64_t>(table.size());
    }
  }

  HttpHandler handler;
  std::mutex tls_mu;
  std::shared_ptr<asio::ssl::context> tls;  // guarded by tls_mu
  HttpServerLimits limits;
  const Clock& clock;
  Logger logger;
  HttpServerStats& stats;
  WarnGate accept_warnings;
  WarnGate refuse_warnings;

 private:
  // Requires mu. Untracks the oldest connection that is not being answered.
  std::shared_ptr<SessionBase> TakeOldestEvictable() {
    for (auto it = table.begin(); it != table.end();) {
      if (it->phase == Phase::kBusy) {
        ++it;
        continue;
      }
      auto victim = it->session.lock();
      it = table.erase(it);
      stats.open = static_cast<std::int64_t>(table.size());
      if (victim) {
        victim->tracked_ = false;
        return victim;
      }
    }
    return nullptr;
  }

  std::mutex mu;
  std::list<SessionBase::Tracked> table;  // guarded by mu
};

void AddHttpServerMetrics(MetricSink& sink, const HttpServerStats& stats) {
  sink.Add(kConnections, {}, static_cast<double>(stats.open.load()));
  sink.Add(kAcceptErrors, {}, static_cast<double>(stats.accept_errors.load()));
  sink.Add(kConnectionsRefused, {}, static_cast<double>(stats.refused.load()));
  sink.Add(kConnectionsEvicted, {}, static_cast<double>(stats.evicted.load()));
  sink.Add(kConnectionTimeouts, {}, static_cast<double>(stats.timed_out.load()));
  sink.Add(kMalformedRequests, {}, static_cast<double>(stats.malformed.load()));
}

MetricCatalogue HttpServerMetrics() { return kMetrics; }

namespace {

std::string_view ToStd(beast::string_view v) { return {v.data(), v.size()}; }

// The error codes sessions compare against, made once rather than per connection.
const beast::error_code kTimedOut = beast::error::timeout;
const beast::error_code kEndOfStream = http::error::end_of_stream;
const beast::error_code kPartialMessage = http::error::partial_message;
const beast::error_code kHeaderLimit = http::error::header_limit;
const beast::error_code kBodyLimit = http::error::body_limit;
const beast::error_code kAborted = asio::error::operation_aborted;

bool AcceptsGzip(std::string_view accept_encoding) {
  // Good enough for "gzip", "gzip, deflate", "br;q=1.0, gzip;q=0.8"; q=0 is not honoured.
  return accept_encoding.find("gzip") != std::string_view::npos;
}

// One connection: reads requests one after another (keep-alive), answers each through the
// handler. Owned by the shared_ptrs its pending operations hold.
template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  // `tls`: the context of a TLS session (null for plain HTTP), kept while the session lives
  // whatever the server's context is changed to.
  Session(tcp::socket&& socket, std::shared_ptr<HttpServerShared> shared,
          std::shared_ptr<asio::ssl::context> tls)
      : tls_(std::move(tls)),
        stream_(MakeStream(std::move(socket), tls_.get())),
        shared_(std::move(shared)) {}
  ~Session() override { shared_->Forget(*this); }

  void Run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Begin, this->shared_from_this()));
  }

  void Evict() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ignored;
      self->Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->Lowest().close();
    });
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, asio::ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  const HttpServerLimits& limits() const { return shared_->limits; }

  void Begin() {
    Lowest().expires_after(limits().header_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      Await();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      Ended(ec);
      shared_->logger.Debug("TLS handshake failed", {{"err", ec.message()}});
      return;
    }
    Await();
  }

  // Waits for a request's first byte, skipping the empty lines a client may send before one
  // (RFC 9112, 2.2).
  void Await() {
    const auto data = buffer_.data();
    const char* bytes = static_cast<const char*>(data.data());
    std::size_t blank = 0;
    while (blank < data.size() && (bytes[blank] == '\r' || bytes[blank] == '\n')) {
      ++blank;
    }
    buffer_.consume(blank);
    if (buffer_.size() > 0) {
      ReadRequest();
      return;
    }
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnBytes, this->shared_from_this()));
  }

  void OnBytes(beast::error_code ec, std::size_t bytes) {
    if (ec) {
      Ended(ec);
      return;
    }
    buffer_.commit(bytes);
    if (idle_) {
      idle_ = false;
      shared_->SetPhase(*this, Phase::kUnfinished);
      Lowest().expires_after(limits().header_timeout);
    }
    Await();
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    parser_->body_limit(limits().max_body_bytes);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == kEndOfStream || ec == kPartialMessage) {
      Close();
      return;
    }
    if (ec == kHeaderLimit) {
      Fail(431, "request header fields too large\n");
      return;
    }
    if (ec == kBodyLimit) {
      Fail(413, "request body too large\n");
      return;
    }
    if (ec && ec.category() == kEndOfStream.category()) {  // any other HTTP parse error
      ++shared_->stats.malformed;
      Fail(400, "bad request\n");
      return;
    }
    if (ec) {
      Ended(ec);
      return;
    }
    shared_->SetPhase(*this, Phase::kBusy);
    const auto& req = parser_->get();
    HttpRequest request{std::string(req.method_string()), std::string(req.target()),
                        std::string(req[http::field::authorization]),
                        std::string(req[http::field::accept])};
    const Reply reply{req.version(), req.keep_alive(), req.method() == http::verb::head,
                      AcceptsGzip(ToStd(req[http::field::accept_encoding]))};
    shared_->handler(request, [self = this->shared_from_this(), reply](HttpResponse out) {
      // Compressed here, on the responder's thread, not on an I/O thread.
      if (out.compressible && reply.gzip) {
        out.body = Gzip(out.body);
        out.headers.emplace_back("Content-Encoding", "gzip");
      }
      if (out.compressible) {
        out.headers.emplace_back("Vary", "Accept-Encoding");
      }
      asio::post(self->stream_.get_executor(), [self, reply, out = std::move(out)]() mutable {
        self->Send(std::move(out), reply);
      });
    });
  }

  struct Reply {
    unsigned version;
    bool keep_alive;
    bool head;
    bool gzip;
  };

  void Fail(unsigned status, std::string body) {
    HttpResponse out;
    out.status = status;
    out.body = std::move(body);
    Send(std::move(out), {11, false, false, false});
  }

  void Send(HttpResponse out, Reply reply) {
    shared_->SetPhase(*this, Phase::kUnfinished);
    response_ = {};
    response_.version(reply.version);
    response_.result(out.status);
    response_.set(http::field::server, "edgewatch");
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) {
      response_.set(name, value);
    }
    response_.body() = std::move(out.body);
    response_.keep_alive(reply.keep_alive);
    response_.prepare_payload();
    if (reply.head) {
      response_.body().clear();  // Content-Length stays that of the GET
    }
    Lowest().expires_after(limits().write_timeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), !reply.keep_alive));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      Ended(ec);
      return;
    }
    if (close) {
      Close();
      return;
    }
    idle_ = true;
    shared_->SetPhase(*this, Phase::kIdle);
    Lowest().expires_after(limits().idle_timeout);
    Await();
  }

  // The connection ends on `ec` (reset, eviction, timeout).
  void Ended(beast::error_code ec) {
    if (ec == kTimedOut) {
      ++shared_->stats.timed_out;
    }
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

  std::shared_ptr<asio::ssl::context> tls_;  // before stream_, which is built on it
  Stream stream_;
  std::shared_ptr<HttpServerShared> shared_;
  beast::flat_buffer buffer_;
  bool idle_ = false;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<HttpServerShared> shared)
      : io_(io),
        acceptor_(asio::make_strand(io)),
        backoff_timer_(acceptor_.get_executor()),
        shared_(std::move(shared)) {}

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

  Expected<tcp::endpoint> Assign(int fd, bool v6) {
    beast::error_code ec;
    acceptor_.assign(v6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
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
      self->backoff_timer_.cancel();
    });
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == kAborted || !acceptor_.is_open()) {
      return;
    }
    if (ec) {
      // EMFILE and its kin do not clear by retrying at once: wait, and free a descriptor.
      ++shared_->stats.accept_errors;
      shared_->accept_warnings.Warn(shared_->clock, shared_->logger, "accept failed; backing off",
                                    ec.message());
      shared_->EvictOldest();
      backoff_ = std::clamp(backoff_ * 2, kMinAcceptBackoff, kMaxAcceptBackoff);
      backoff_timer_.expires_after(backoff_);
      backoff_timer_.async_wait([self = shared_from_this()](beast::error_code wait) {
        if (!wait) {
          self->Accept();
        }
      });
      return;
    }
    backoff_ = {};
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // else Nagle and delayed ACK cost 40 ms
    if (auto tls = shared_->Tls()) {
      Start(std::make_shared<Session<true>>(std::move(socket), shared_, std::move(tls)));
    } else {
      Start(std::make_shared<Session<false>>(std::move(socket), shared_, nullptr));
    }
    Accept();
  }

  // Runs `session` if the table takes it; else counts it refused (its socket closes with it).
  template <typename S>
  void Start(std::shared_ptr<S> session) {
    if (shared_->Admit(session)) {
      session->Run();
      return;
    }
    ++shared_->stats.refused;
    shared_->refuse_warnings.Warn(shared_->clock, shared_->logger,
                                  "every connection is busy; closing a new one",
                                  "too many connections");
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_timer_;
  std::chrono::milliseconds backoff_{};
  std::shared_ptr<HttpServerShared> shared_;
};

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler,
                       std::shared_ptr<asio::ssl::context> tls, HttpServerLimits limits,
                       const Clock& clock, Logger logger, HttpServerStats& stats)
    : io_(io),
      shared_(std::make_shared<HttpServerShared>(std::move(handler), std::move(tls), limits, clock,
                                                 std::move(logger), stats)) {}

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

Expected<tcp::endpoint> HttpServer::Adopt(int fd, bool v6) {
  auto listener = std::make_shared<Listener>(io_, shared_);
  auto bound = listener->Assign(fd, v6);
  if (!bound) {
    return Error{"cannot accept on descriptor " + std::to_string(fd) + ": " +
                 bound.error().message};
  }
  listener->Accept();
  listeners_.push_back(std::move(listener));
  return bound;
}

void HttpServer::SetTls(std::shared_ptr<asio::ssl::context> tls) {
  std::lock_guard<std::mutex> lock(shared_->tls_mu);
  shared_->tls = std::move(tls);
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
  if (ec && ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
    return Error{"tls_server_config.key_file " + config.key_file +
                 " is not the key of the certificate in cert_file " + config.cert_file};
  }
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
