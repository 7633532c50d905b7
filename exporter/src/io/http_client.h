#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
};

struct HttpReply {
  unsigned status = 0;
  std::string reason;
  std::string body;
};

// Runs every GET concurrently on a private io_context and returns when all have finished; each
// fails on its own timeout (connect, TLS, request and reply together), refusal, a truncated or
// oversized reply. One slow server never delays the others beyond its own timeout.
std::vector<Expected<HttpReply>> FetchAll(const std::vector<HttpGet>& requests);

// A client TLS context: peer verification against `ca_file` (empty: the system store), or no
// verification at all with `insecure_skip_verify`.
Expected<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(
    const std::string& ca_file, bool insecure_skip_verify);

}  // namespace edgewatch::io
