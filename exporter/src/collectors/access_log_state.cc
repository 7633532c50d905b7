#include "collectors/access_log_state.h"

#include <algorithm>

namespace edgewatch {

SiteKey SiteKeyOf(std::string_view site) {
  // "host:8080" and "[2001:db8::1]:443" name the same site as without the port; a bare IPv6
  // address ("2001:db8::1") has no port. memchr-based: %v:%p gives one colon on every line.
  const auto first = site.find(':');
  if (first != std::string_view::npos) {
    const auto colon = site.front() == '[' ? site.rfind(':') : first;
    if ((site.front() == '[' || site.find(':', first + 1) == std::string_view::npos) &&
        site.find(']', colon) == std::string_view::npos) {
      site = site.substr(0, colon);
    }
  }
  return SiteKey::FromLower(site);
}

const char* SiteKindName(SiteKind k) {
  static constexpr const char* kNames[kSiteKinds] = {"all", "xmlrpc", "wp_login", "probe"};
  return kNames[static_cast<std::size_t>(k)];
}

// Space-Saving holds four times the keys it reports, which keeps the reported top exact for
// skewed (attack) traffic.
AccessLogStats::AccessLogStats(const AccessLogSettings& settings)
    : settings_(settings),
      top_(settings.top_k * 4, settings.window_ns),
      sites_(kSiteKinds, WindowedTopK<SiteKey>(settings.top_k * 4, settings.window_ns)) {
  for (const auto* paths : {&settings_.xmlrpc_paths, &settings_.wp_login_paths}) {
    for (const auto& p : *paths) {
      script_names_.push_back(p.substr(p.rfind('/') + 1));
    }
  }
}

Seen AccessLogStats::Add(const access_log::Request& r) {
  const auto method = static_cast<std::size_t>(r.method);
  const auto code = static_cast<std::size_t>(r.status - 100);
  ++requests_[method][code];
  response_bytes_ += r.bytes;
  const bool candidate =
      r.path.find('%') != std::string_view::npos ||
      std::any_of(script_names_.begin(), script_names_.end(), [&](const std::string& name) {
        return r.path.find(name) != std::string_view::npos;
      });
  const std::string_view path =
      candidate ? access_log::ResolvePath(r.path, path_scratch_) : std::string_view();
  const bool xmlrpc = candidate && access_log::PathMatches(path, settings_.xmlrpc_paths);
  const bool wp_login =
      candidate && !xmlrpc && access_log::PathMatches(path, settings_.wp_login_paths);
  if (xmlrpc) {
    ++xmlrpc_[method][code];
  } else if (wp_login) {
    ++wp_login_[method][code];
  }
  if (access_log::IsPingback(r.user_agent)) {
    ++pingbacks_;
  }
  const std::uint32_t found = r.probes;
  if (found != 0) {
    const auto code_class = static_cast<std::size_t>(r.status / 100 - 1);  // 100..599
    for (int p = 0; p < access_log::kProbeCount; ++p) {
      probes_[static_cast<std::size_t>(p)][code_class] += (found >> p) & 1U;
    }
  }
  return {xmlrpc, wp_login, r.method == access_log::Method::kPost, found != 0};
}

void AccessLogStats::AddSite(const SiteKey& site, const Seen& seen, std::int64_t now_ns) {
  sites_[static_cast<std::size_t>(SiteKind::kAll)].Add(now_ns, site, 1);
  if (seen.post && seen.xmlrpc) {
    sites_[static_cast<std::size_t>(SiteKind::kXmlrpc)].Add(now_ns, site, 1);
  }
  if (seen.post && seen.wp_login) {
    sites_[static_cast<std::size_t>(SiteKind::kWpLogin)].Add(now_ns, site, 1);
  }
  if (seen.probe) {
    sites_[static_cast<std::size_t>(SiteKind::kProbe)].Add(now_ns, site, 1);
  }
}

TopList<SiteKey> AccessLogStats::TopSites(SiteKind kind, std::int64_t now_ns) {
  return sites_[static_cast<std::size_t>(kind)].Top(now_ns, settings_.top_k);
}

void AccessLogStats::AddTopClient(std::string_view client, std::int64_t now_ns) {
  top_.Add(now_ns, ClientKey::From(client), 1);
}

TopList<ClientKey> AccessLogStats::TopClients(std::int64_t now_ns) {
  return top_.Top(now_ns, settings_.top_k);
}

}  // namespace edgewatch
