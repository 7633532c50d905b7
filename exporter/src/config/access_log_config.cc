#include "config/access_log_config.h"

#include "parsers/access_log/access_log.h"

namespace edgewatch {
namespace {

Expected<std::string> ParseRequestPath(const std::string& t) {
  if (t.empty() || t[0] != '/' || t.find_first_of("? ") != std::string::npos) {
    return Error{"expected a request path starting with / (no query string), got \"" + t + "\""};
  }
  return t;
}

void ReadAccessLog(MapReader& m, AccessLogConfig& c, ConfigContext& context) {
  m.Bool("enabled", c.enabled);
  m.ListOfSections("logs", [&](MapReader& l) {
    auto& log = c.logs.emplace_back();
    ReadLogEntry(l, context.logs, log.name, log.path, log.journal);
    l.Value("format", log.format, [](const std::string& t) -> Expected<std::string> {
      if (auto compiled = access_log::Format::Compile(t); !compiled) {
        return Error{compiled.error().message +
                     " (predefined: common, combined, vhost_combined, nginx_combined)"};
      }
      return t;
    });
    l.Bool("vhost_from_path", log.vhost_from_path);
    if (log.vhost_from_path && log.path.find('*') == std::string::npos) {
      l.Fail("vhost_from_path",
             "needs a '*' in path to take the site from (e.g. "
             "/var/log/apache2/*-access.log)");
    }
  });
  m.List("xmlrpc_paths", c.xmlrpc_paths, ParseRequestPath);
  m.List("wp_login_paths", c.wp_login_paths, ParseRequestPath);
  m.Value("top_k", c.top_k, [](const std::string& t) { return ParseUnsigned(t, 1, 100); });
  m.Value("top_window", c.top_window, PositiveDuration);
  ReadFollow(m, c.follow);
}

}  // namespace

// The embedded default follows Debian's Apache (access.log and other_vhosts_access.log) and nginx.
const ConfigSection kAccessLogSection = SectionOf<AccessLogConfig, &ReadAccessLog>(
    "  logs:\n"
    "    - name: apache\n"
    "      path: /var/log/apache2/*access.log\n"
    "    - name: nginx\n"
    "      path: /var/log/nginx/access.log\n");

}  // namespace edgewatch
