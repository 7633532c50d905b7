#include "io/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <type_traits>

namespace edgewatch::io {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string Seconds(std::chrono::milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The connection of one request slot, kept between fetches. Exactly one of the streams is set
// while open.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> tls;
  Clock::MonotonicTime idle_since{};
  std::string peer;  // "host port tls" it was opened to: a request for another opens its own

  bool open() const { return plain != nullptr || tls != nullptr; }
  void Close() {
    beast::error_code ignored;
    if (plain) {
      plain->socket().shutdown(tcp::socket::shutdown_both, ignored);
      plain->close();
    }
    if (tls) {
      beast::get_lowest_layer(*tls).close();
    }
    plain.reset();
    tls.reset();
  }
};

// One GET on its slot's connection: reused when open and idle less than max_idle, else (and
// once more if the reused one turns out closed) resolve, connect, (TLS handshake); then write
// and read. Owned by its pending operations.
template <bool kTls>
class Fetch : public std::enable_shared_from_this<Fetch<kTls>> {
  using Stream = std::conditional_t<kTls, TlsStream, beast::tcp_stream>;

 public:
  Fetch(asio::io_context& io, const Clock& clock, const HttpGet& request, Connection& connection,
        std::chrono::milliseconds max_idle, std::uint64_t& opened, Expected<HttpReply>& out)
      : io_(io),
        clock_(clock),
        request_(request),
        connection_(connection),
        opened_(opened),
        out_(out),
        resolver_(io),
        timer_(io) {
    reused_ = connection_.open() && clock_.Monotonic() - connection_.idle_since < max_idle;
    if (!reused_) {
      connection_.Close();
    }
  }

  void Run() {
    timer_.expires_after(request_.timeout);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->timed_out_ = true;
        self->resolver_.cancel();
        if (self->connection_.open()) {
          beast::get_lowest_layer(self->stream()).cancel();
        }
        self->connection_.Close();
      }
    });
    if (reused_) {
      Write();
    } else {
      Connect();
    }
  }

 private:
  Stream& stream() {
    if constexpr (kTls) {
      return *connection_.tls;
    } else {
      return *connection_.plain;
    }
  }

  void Connect() {
    if constexpr (kTls) {
      connection_.tls = std::make_unique<TlsStream>(io_, *request_.tls_context);
    } else {
      connection_.plain = std::make_unique<beast::tcp_stream>(io_);
    }
    ++opened_;
    // An address literal needs no resolver (whose first use starts a thread).
    beast::error_code literal;
    const auto address = asio::ip::make_address(request_.host, literal);
    if (!literal) {
      beast::get_lowest_layer(stream()).async_connect(
          tcp::endpoint(address, request_.port),
          [self = this->shared_from_this()](beast::error_code ec) {
            self->OnConnect(ec, tcp::endpoint());
          });
      return;
    }
    resolver_.async_resolve(request_.host, std::to_string(request_.port),
                            beast::bind_front_handler(&Fetch::OnResolve, this->shared_from_this()));
  }

  void Fail(const std::string& what, beast::error_code ec) {
    timer_.cancel();
    connection_.Close();
    if (timed_out_) {
      out_ = Error{"timeout after " + Seconds(request_.timeout) + " (while " + what + ")"};
    } else {
      out_ = Error{what + ": " + ec.message()};
    }
  }

  // A kept connection the server closed while it was idle fails as the request goes out or
  // before any reply: that is no answer from the server, so a fresh connection is tried.
  bool RetryFresh() {
    if (!reused_ || timed_out_) {
      return false;
    }
    reused_ = false;
    connection_.Close();
    parser_.emplace();
    buffer_.clear();
    Connect();
    return true;
  }

  void OnResolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) {
      return Fail("resolving " + request_.host, ec);
    }
    beast::get_lowest_layer(stream()).async_connect(
        results, beast::bind_front_handler(&Fetch::OnConnect, this->shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      return Fail("connecting", ec);
    }
    if constexpr (kTls) {
      SSL_set_tlsext_host_name(stream().native_handle(), request_.host.c_str());
      if (request_.verify_host) {
        stream().set_verify_callback(asio::ssl::host_name_verification(request_.host));
      }
      stream().async_handshake(
          asio::ssl::stream_base::client,
          beast::bind_front_handler(&Fetch::OnHandshake, this->shared_from_this()));
    } else {
      Write();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      return Fail("TLS handshake", ec);
    }
    Write();
  }

  void Write() {
    req_.method(http::verb::get);
    req_.target(request_.target);
    req_.version(11);
    req_.set(http::field::host,
             request_.host_header.empty() ? request_.host : request_.host_header);
    req_.set(http::field::user_agent, "edgewatch");
    if (!request_.keep_alive) {
      req_.set(http::field::connection, "close");
    }
    if (!request_.authorization.empty()) {
      req_.set(http::field::authorization, request_.authorization);
    }
    http::async_write(stream(), req_,
                      beast::bind_front_handler(&Fetch::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) {
      if (RetryFresh()) {
        return;
      }
      return Fail("sending the request", ec);
    }
    parser_->body_limit(request_.max_body_bytes);
    // The header is read on its own: Boost 1.74's whole-message read loses the body_limit error
    // that a Content-Length above the limit raises at the header.
    http::async_read_header(stream(), buffer_, *parser_,
                            beast::bind_front_handler(&Fetch::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit && !timed_out_) {
      return TooLarge();
    }
    if (ec) {
      if (buffer_.size() == 0 && RetryFresh()) {
        return;
      }
      return Fail("reading the reply header", ec);
    }
    http::async_read(stream(), buffer_, *parser_,
                     beast::bind_front_handler(&Fetch::OnRead, this->shared_from_this()));
  }

  void TooLarge() {
    timer_.cancel();
    connection_.Close();
    out_ = Error{"reply larger than " + std::to_string(request_.max_body_bytes) + " bytes"};
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec && timed_out_) {
      return Fail("reading the reply", ec);
    }
    if (ec == http::error::body_limit) {
      return TooLarge();
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream) {
      timer_.cancel();
      connection_.Close();
      out_ = Error{"truncated reply"};
      return;
    }
    if (ec) {
      return Fail("reading the reply", ec);
    }
    timer_.cancel();
    auto& res = parser_->get();
    const bool keep = request_.keep_alive && res.keep_alive();
    out_ = HttpReply{res.result_int(), std::string(res.reason()), std::move(res.body())};
    if (keep) {
      connection_.idle_since = clock_.Monotonic();
    } else {
      connection_.Close();
    }
  }

  asio::io_context& io_;
  const Clock& clock_;
  const HttpGet& request_;
  Connection& connection_;
  std::uint64_t& opened_;
  Expected<HttpReply>& out_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  bool reused_ = false;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_{std::in_place};
};

}  // namespace

struct HttpClient::State {
  State(const Clock& c, std::chrono::milliseconds idle) : clock(c), max_idle(idle) {}
  const Clock& clock;
  std::chrono::milliseconds max_idle;
  asio::io_context io;
  std::vector<Connection> connections;  // by request index
  std::uint64_t opened = 0;
};

HttpClient::HttpClient(const Clock& clock, std::chrono::milliseconds max_idle)
    : state_(std::make_unique<State>(clock, max_idle)) {}

HttpClient::~HttpClient() {
  for (auto& c : state_->connections) {
    c.Close();
  }
}

std::uint64_t HttpClient::connections_opened() const { return state_->opened; }

std::vector<Expected<HttpReply>> HttpClient::FetchAll(const std::vector<HttpGet>& requests) {
  State& st = *state_;
  for (std::size_t i = requests.size(); i < st.connections.size(); ++i) {
    st.connections[i].Close();
  }
  st.connections.resize(requests.size());
  std::vector<Expected<HttpReply>> out(requests.size(), Expected<HttpReply>(Error{"not run"}));
  for (std::size_t i = 0; i < requests.size(); ++i) {
    std::string peer =
        requests[i].host + " " + std::to_string(requests[i].port) + (requests[i].tls ? " tls" : "");
    if (peer != st.connections[i].peer) {
      st.connections[i].Close();
      st.connections[i].peer = std::move(peer);
    }
    if (requests[i].tls) {
      std::make_shared<Fetch<true>>(st.io, st.clock, requests[i], st.connections[i], st.max_idle,
                                    st.opened, out[i])
          ->Run();
    } else {
      std::make_shared<Fetch<false>>(st.io, st.clock, requests[i], st.connections[i], st.max_idle,
                                     st.opened, out[i])
          ->Run();
    }
  }
  st.io.restart();
  st.io.run();  // every fetch ends by its own timer at the latest
  return out;
}

Expected<std::shared_ptr<asio::ssl::context>> MakeClientTlsContext(const std::string& ca_file,
                                                                   bool insecure_skip_verify) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  if (insecure_skip_verify) {
    ctx->set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    return Error{(ca_file.empty() ? std::string("system CA store") : ca_file) + ": " +
                 ec.message()};
  }
  return ctx;
}

}  // namespace edgewatch::io
