#include "config/httpd_config.h"

namespace edgewatch {
namespace {

void ReadHttpdServer(MapReader& m, const GlobalConfig& global, LabelNames& names,
                     HttpdServerConfig& s) {
  m.String("name", s.name);
  bool has_url = false;
  m.Value("url", s.url, [&](const std::string& t) {
    has_url = true;
    return ParseUrl(t);
  });
  m.Value("flavour", s.flavour, [](const std::string& t) {
    return ParseOneOf({"auto", "apache", "nginx"}, t);
  });
  m.Value("timeout", s.timeout, PositiveDuration);
  m.Section("basic_auth", [&](MapReader& a) {
    a.String("username", s.username);
    a.String("password", s.password);
    a.String("password_file", s.password_file);
    if (s.username.empty() || s.password.empty() == s.password_file.empty()) {
      a.Fail("username", "basic_auth needs username and one of password or password_file");
    }
  });
  m.String("ca_file", s.ca_file);
  m.Bool("insecure_skip_verify", s.insecure_skip_verify);
  m.String("host", s.host);
  m.Value("max_request_workers", s.max_request_workers,
          [](const std::string& t) { return ParseUnsigned(t, 1, 1u << 20); });
  m.String("pid_file", s.pid_file);
  names.Add(m, s.name);
  if (!has_url) {
    m.Fail("url", "every server needs a url, e.g. http://127.0.0.1/server-status?auto");
  }
  if (s.timeout >= global.collector_timeout) {
    m.Fail("timeout", "must be below global.collector_timeout (" +
                          FormatDuration(global.collector_timeout) + ")");
  }
}

void ReadHttpd(MapReader& m, HttpdConfig& c, ConfigContext& context) {
  m.Bool("enabled", c.enabled);
  m.ListOfSections("servers", [&](MapReader& s) {
    ReadHttpdServer(s, context.global, context.servers, c.servers.emplace_back());
  });
  m.List("processes", c.processes, [](const std::string& t) -> Expected<std::string> {
    if (t.empty() || t.size() > 15) {
      return Error{"expected a process name of 1 to 15 characters, got \"" + t + "\""};
    }
    return t;
  });
}

}  // namespace

const ConfigSection kHttpdSection = SectionOf<HttpdConfig, &ReadHttpd>();

}  // namespace edgewatch
