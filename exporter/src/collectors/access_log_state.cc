#include "collectors/access_log_state.h"

#include <algorithm>

namespace edgewatch {

ClientKey ClientKey::From(std::string_view client) {
  ClientKey k;
  k.size = static_cast<std::uint8_t>(std::min(client.size(), k.text.size()));
  std::copy_n(client.data(), k.size, k.text.data());  // data() may be null when empty
  return k;
}

// Space-Saving holds four times the keys it reports, which keeps the reported top exact for
// skewed (attack) traffic.
AccessLogStats::AccessLogStats(const AccessLogSettings& settings)
    : settings_(settings), top_(settings.top_k * 4, settings.window_ns) {}

bool AccessLogStats::Add(const access_log::Request& r) {
  const auto method = static_cast<std::size_t>(r.method);
  const auto code = static_cast<std::size_t>(r.status - 100);
  ++requests_[method][code];
  response_bytes_ += r.bytes;
  const std::string_view path = access_log::ResolvePath(r.path, path_scratch_);
  const bool xmlrpc = access_log::PathMatches(path, settings_.xmlrpc_paths);
  const bool wp_login = !xmlrpc && access_log::PathMatches(path, settings_.wp_login_paths);
  if (xmlrpc) {
    ++xmlrpc_[method][code];
  } else if (wp_login) {
    ++wp_login_[method][code];
  }
  if (access_log::IsPingback(r.user_agent)) {
    ++pingbacks_;
  }
  if (const std::uint32_t found = access_log::DetectProbes(r)) {
    const auto code_class = static_cast<std::size_t>(r.status / 100 - 1);  // 100..599
    for (int p = 0; p < access_log::kProbeCount; ++p) {
      probes_[static_cast<std::size_t>(p)][code_class] += (found >> p) & 1U;
    }
  }
  return xmlrpc || wp_login;
}

void AccessLogStats::AddTopClient(std::string_view client, std::int64_t now_ns) {
  top_.Add(now_ns, ClientKey::From(client), 1);
}

TopList<ClientKey> AccessLogStats::TopClients(std::int64_t now_ns) {
  return top_.Top(now_ns, settings_.top_k);
}

}  // namespace edgewatch
