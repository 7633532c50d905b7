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

// One GET: resolve, connect, (TLS handshake), write, read. Owned by its pending operations.
template <bool kTls>
class Fetch : public std::enable_shared_from_this<Fetch<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Fetch(asio::io_context& io, const HttpGet& request, Expected<HttpReply>& out)
      : request_(request), out_(out), resolver_(io), stream_(MakeStream(io, request)), timer_(io) {}

  void Run() {
    timer_.expires_after(request_.timeout);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->timed_out_ = true;
        self->resolver_.cancel();
        beast::get_lowest_layer(self->stream_).cancel();
        beast::get_lowest_layer(self->stream_).close();
      }
    });
    // An address literal needs no resolver (whose first use starts a thread).
    beast::error_code literal;
    const auto address = asio::ip::make_address(request_.host, literal);
    if (!literal) {
      beast::get_lowest_layer(stream_).async_connect(
          tcp::endpoint(address, request_.port),
          [self = this->shared_from_this()](beast::error_code ec) {
            self->OnConnect(ec, tcp::endpoint());
          });
      return;
    }
    resolver_.async_resolve(request_.host, std::to_string(request_.port),
                            beast::bind_front_handler(&Fetch::OnResolve, this->shared_from_this()));
  }

 private:
  static Stream MakeStream(asio::io_context& io, const HttpGet& request) {
    if constexpr (kTls) {
      return Stream(io, *request.tls_context);
    } else {
      return Stream(io);
    }
  }

  void Fail(const std::string& what, beast::error_code ec) {
    timer_.cancel();
    if (timed_out_) {
      out_ = Error{"timeout after " + Seconds(request_.timeout) + " (while " + what + ")"};
    } else {
      out_ = Error{what + ": " + ec.message()};
    }
  }

  void OnResolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) {
      return Fail("resolving " + request_.host, ec);
    }
    beast::get_lowest_layer(stream_).async_connect(
        results, beast::bind_front_handler(&Fetch::OnConnect, this->shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      return Fail("connecting", ec);
    }
    if constexpr (kTls) {
      SSL_set_tlsext_host_name(stream_.native_handle(), request_.host.c_str());
      if (request_.verify_host) {
        stream_.set_verify_callback(asio::ssl::host_name_verification(request_.host));
      }
      stream_.async_handshake(
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
    req_.set(http::field::connection, "close");
    if (!request_.authorization.empty()) {
      req_.set(http::field::authorization, request_.authorization);
    }
    http::async_write(stream_, req_,
                      beast::bind_front_handler(&Fetch::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) {
      return Fail("sending the request", ec);
    }
    parser_.body_limit(request_.max_body_bytes);
    // The header is read on its own: Boost 1.74's whole-message read loses the body_limit error
    // that a Content-Length above the limit raises at the header.
    http::async_read_header(stream_, buffer_, parser_,
                            beast::bind_front_handler(&Fetch::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit && !timed_out_) {
      timer_.cancel();
      out_ = Error{TooLarge()};
      return;
    }
    if (ec) {
      return Fail("reading the reply header", ec);
    }
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&Fetch::OnRead, this->shared_from_this()));
  }

  std::string TooLarge() const {
    return "reply larger than " + std::to_string(request_.max_body_bytes) + " bytes";
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec && timed_out_) {
      return Fail("reading the reply", ec);
    }
    if (ec == http::error::body_limit) {
      timer_.cancel();
      out_ = Error{TooLarge()};
      return;
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream) {
      timer_.cancel();
      out_ = Error{"truncated reply"};
      return;
    }
    if (ec) {
      return Fail("reading the reply", ec);
    }
    timer_.cancel();
    auto& res = parser_.get();
    out_ = HttpReply{res.result_int(), std::string(res.reason()), std::move(res.body())};
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  const HttpGet& request_;
  Expected<HttpReply>& out_;
  tcp::resolver resolver_;
  Stream stream_;
  asio::steady_timer timer_;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> req_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

std::vector<Expected<HttpReply>> FetchAll(const std::vector<HttpGet>& requests) {
  std::vector<Expected<HttpReply>> out(requests.size(), Expected<HttpReply>(Error{"not run"}));
  asio::io_context io;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].tls) {
      std::make_shared<Fetch<true>>(io, requests[i], out[i])->Run();
    } else {
      std::make_shared<Fetch<false>>(io, requests[i], out[i])->Run();
    }
  }
  io.run();  // every fetch ends by its own timer at the latest
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
