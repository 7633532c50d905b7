#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "parsers/expected.h"

namespace edgewatch::io {

struct HttpGet {
  bool tls = false;
  std::string host;  // name or IP literal (no brackets) to connect to
  std::uint16_t port = 80;
  std::string target = "/";
  std::string host_header;    // empty: `host`
  std::string authorization;  // whole header value, e.g. "Basic ..."; empty: none
  std::shared_ptr<boost::asio::ssl::context> tls_context;  // with tls: from MakeClientTlsContext
  bool verify_host = true;                                 // check the certificate names `host`
  std::chrono::milliseconds timeout{5000};                 // for the whole exchange
  std::size_t max_body_bytes = 1 << 20;
  // Ask to keep the connection for the next fetch (HttpClient); false sends "Connection: close".
  bool keep_alive = true;
};

struct HttpReply {
  unsigned status = 0;
  std::string reason;
  std::string body;
};

// Fetches a fixed list of GETs again and again (a collector's status pages, once a scrape),
// keeping each one's connection open between fetches when the server allows it (HTTP/1.1
// keep-alive), so a scrape skips the connect and TLS handshake. A connection idle longer than
// `max_idle` is closed rather than reused (below Apache's default KeepAliveTimeout of 5 s, so
// the server does not close it while the request is on its way); one that fails before its
// reply began (the server closed it meanwhile) is replaced by a fresh one within the same
// timeout; any other error closes it. Not thread-safe: one FetchAll at a time.
class HttpClient {
 public:
  explicit HttpClient(const Clock& clock,
                      std::chrono::milliseconds max_idle = std::chrono::seconds(4));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Runs every GET concurrently and returns when all have finished; each fails on its own
  // timeout (connect, TLS, request and reply together), refusal, a truncated or oversized
  // reply. One slow server never delays the others beyond its own timeout. `requests[i]` uses
  // the connection the previous call's `requests[i]` left open.
  std::vector<Expected<HttpReply>> FetchAll(const std::vector<HttpGet>& requests);

  // Connections opened since construction (for tests and the benchmark).
  std::uint64_t connections_opened() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A client TLS context: peer verification against `ca_file` (empty: the system store), or no
// verification at all with `insecure_skip_verify`.
Expected<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(
    const std::string& ca_file, bool insecure_skip_verify);

}  // namespace edgewatch::io
