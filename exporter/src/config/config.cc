#include "config/config.h"

#include <algorithm>
#include <type_traits>

#include "config/values.h"
#include "config/yaml_reader.h"
#include "parsers/access_log/access_log.h"

namespace edgewatch {
namespace {

// Only what differs from the defaults in config.h: the logs of a Debian host.
constexpr std::string_view kEmbeddedDefault =
    R"(# edgewatch embedded default: every other key has its default (docs/configuration.md)
access_log:
  logs:
    - name: apache
      path: /var/log/apache2/*access.log
    - name: nginx
      path: /var/log/nginx/access.log
mail_log:
  logs:
    - name: mail
      path: /var/log/mail.log
)";

void ReadProcess(MapReader& m, ProcessConfig& c) { m.Bool("enabled", c.enabled); }

Expected<std::chrono::milliseconds> PositiveDuration(const std::string& text) {
  auto d = ParseDuration(text);
  if (d && d->count() == 0) {
    return Error{"must be greater than 0s"};
  }
  return d;
}

Expected<reflection::Vector> ParseVector(const std::string& text) {
  if (auto v = reflection::VectorByName(text)) {
    return *v;
  }
  std::string names;
  for (const auto& v : reflection::kVectors) {
    names += names.empty() ? "" : ", ";
    names += v.name;
  }
  return Error{"expected one of " + names + ", got \"" + text + "\""};
}

// Names label every series of a server, neighbour or log: required, and unique among all that
// share the label (the edgewatch_log_* series of access and mail logs share `log`).
class LabelNames {
 public:
  explicit LabelNames(std::string noun) : noun_(std::move(noun)) {}

  // The `name` key of an entry; an empty one is reported at once.
  void Add(MapReader& m, const std::string& name) {
    if (name.empty()) {
      m.Fail("name", "every " + noun_ + " needs a name (the " + noun_ + " label)");
    } else {
      names_.push_back({name, m.Where("name")});
    }
  }
  // After decoding: every name given before.
  void ReportDuplicates(YamlReader& reader) const {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (names_[j].first == names_[i].first) {
          reader.Fail(names_[i].second.mark, names_[i].second.path,
                      "duplicate " + noun_ + " name \"" + names_[i].first + "\"");
          break;
        }
      }
    }
  }

 private:
  std::string noun_;
  std::vector<std::pair<std::string, MapReader::Place>> names_;
};

// The labels a config names: one pass checks each after decoding.
struct Labels {
  LabelNames servers{"server"};
  LabelNames neighbors{"neighbor"};
  LabelNames logs{"log"};
};

void ReadGlobal(MapReader& m, GlobalConfig& c) {
  m.Value("collector_timeout", c.collector_timeout, PositiveDuration);
}

void ReadReflection(MapReader& m, ReflectionConfig& c) {
  m.Bool("enabled", c.enabled);
  m.String("interface", c.interface);
  m.List("local_networks", c.local_networks, ParseCidr);
  m.List("vectors", c.vectors, ParseVector);
  m.Value("top_k", c.top_k, [](const std::string& t) { return ParseUnsigned(t, 1, 100); });
  m.Value("window", c.window, PositiveDuration);
  m.Value("request_timeout", c.request_timeout, PositiveDuration);
  m.Value("request_table_size", c.request_table_size,
          [](const std::string& t) { return ParseUnsigned(t, 1024, 1u << 24); });
  m.Value("buffer_size_bytes", c.buffer_size_bytes,
          [](const std::string& t) { return ParseUnsigned(t, 1u << 20, 1u << 30); });
  m.Bool("promiscuous", c.promiscuous);
  m.Value("retry_interval", c.retry_interval, PositiveDuration);
  m.Section("ntp", [&](MapReader& n) {
    n.List("servers", c.ntp.servers, ParseIpAddress);
    n.Bool("monlist_probe", c.ntp.monlist_probe);
    n.Value("probe_interval", c.ntp.probe_interval, PositiveDuration);
    n.Value("probe_timeout", c.ntp.probe_timeout, PositiveDuration);
  });
  if (c.interface.empty()) {
    m.Fail("interface", "must not be empty; use \"any\" for every interface");
  }
}

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
  names.Add(m, s.name);
  if (!has_url) {
    m.Fail("url", "every server needs a url, e.g. http://127.0.0.1/server-status?auto");
  }
  if (s.timeout >= global.collector_timeout) {
    m.Fail("timeout", "must be below global.collector_timeout (" +
                          FormatDuration(global.collector_timeout) + ")");
  }
}

void ReadHttpd(MapReader& m, const GlobalConfig& global, Labels& labels, HttpdConfig& c) {
  m.Bool("enabled", c.enabled);
  m.ListOfSections("servers", [&](MapReader& s) {
    ReadHttpdServer(s, global, labels.servers, c.servers.emplace_back());
  });
  m.List("processes", c.processes, [](const std::string& t) -> Expected<std::string> {
    if (t.empty() || t.size() > 15) {
      return Error{"expected a process name of 1 to 15 characters, got \"" + t + "\""};
    }
    return t;
  });
}

// Turns a parser of T into one of std::optional<T>, for keys whose absence means "inherit".
template <typename Parse>
auto Optional(Parse parse) {
  using T = std::decay_t<decltype(*parse(std::string()))>;
  return [parse](const std::string& text) -> Expected<std::optional<T>> {
    auto v = parse(text);
    if (!v) {
      return v.error();
    }
    return std::optional<T>(std::move(*v));
  };
}

Expected<bool> ParseBool(const std::string& text) {
  if (text == "true" || text == "false") {
    return text == "true";
  }
  return Error{"expected true or false, got \"" + text + "\""};
}

void ReadBgpNeighbor(MapReader& m, LabelNames& names, BgpNeighborConfig& n) {
  m.String("name", n.name);
  bool has_address = false;
  m.Value("address", n.host, [&](const std::string& t) -> Expected<std::string> {
    has_address = true;
    if (auto ip = ParseIpAddress(t)) {
      n.address = *ip;
      return t;
    }
    return ParseHostName(t);
  });
  m.Value("asn", n.asn, [](const std::string& t) { return ParseUnsigned(t, 1, 4294967295u); });
  m.String("description", n.description);
  m.Value("interval", n.interval, Optional(PositiveDuration));
  m.Value("timeout", n.timeout, Optional(PositiveDuration));
  m.Value("size", n.size, [](const std::string& t) { return ParseUnsigned(t, 16, 9000); });
  m.Value("source", n.source, Optional(ParseIpAddress));
  m.Value("ttl", n.ttl, Optional([](const std::string& t) { return ParseUnsigned(t, 1, 255); }));
  m.Value("tcp_probe", n.tcp_probe, Optional(ParseBool));
  names.Add(m, n.name);
  if (!has_address) {
    m.Fail("address", "every neighbor needs an address");
  }
}

void ReadBgp(MapReader& m, Labels& labels, BgpConfig& c) {
  m.Bool("enabled", c.enabled);
  m.Value("interval", c.interval, PositiveDuration);
  m.Value("timeout", c.timeout, PositiveDuration);
  m.Value("window", c.window, [](const std::string& t) { return ParseUnsigned(t, 1, 1000); });
  m.Value("resolve_interval", c.resolve_interval, PositiveDuration);
  m.Bool("tcp_probe", c.tcp_probe);
  m.Value("tcp_probe_interval", c.tcp_probe_interval, PositiveDuration);
  m.ListOfSections("neighbors", [&](MapReader& n) {
    ReadBgpNeighbor(n, labels.neighbors, c.neighbors.emplace_back());
  });
}

void ReadFollow(MapReader& m, FollowConfig& c) {
  m.Value("poll_interval", c.poll_interval, PositiveDuration);
  m.Value("rotate_wait", c.rotate_wait, ParseDuration);
  m.Value("max_line_length", c.max_line_length,
          [](const std::string& t) { return ParseUnsigned(t, 256, 16u << 20); });
  m.Value("max_files", c.max_files,
          [](const std::string& t) { return ParseUnsigned(t, 1, 10000); });
}

// name and path of an access_log or mail_log entry.
void ReadLogEntry(MapReader& l, LabelNames& names, std::string& name, std::string& path) {
  l.String("name", name);
  l.String("path", path);
  names.Add(l, name);
  if (path.empty()) {
    l.Fail("path", "every log needs a path (a file or a glob)");
  }
}

Expected<std::string> ParseRequestPath(const std::string& t) {
  if (t.empty() || t[0] != '/' || t.find_first_of("? ") != std::string::npos) {
    return Error{"expected a request path starting with / (no query string), got \"" + t + "\""};
  }
  return t;
}

void ReadAccessLog(MapReader& m, Labels& labels, AccessLogConfig& c) {
  m.Bool("enabled", c.enabled);
  m.ListOfSections("logs", [&](MapReader& l) {
    auto& log = c.logs.emplace_back();
    ReadLogEntry(l, labels.logs, log.name, log.path);
    l.Value("format", log.format, [](const std::string& t) -> Expected<std::string> {
      if (auto compiled = access_log::Format::Compile(t); !compiled) {
        return Error{compiled.error().message +
                     " (predefined: common, combined, vhost_combined, nginx_combined)"};
      }
      return t;
    });
  });
  m.List("xmlrpc_paths", c.xmlrpc_paths, ParseRequestPath);
  m.List("wp_login_paths", c.wp_login_paths, ParseRequestPath);
  m.Value("top_k", c.top_k, [](const std::string& t) { return ParseUnsigned(t, 1, 100); });
  m.Value("top_window", c.top_window, PositiveDuration);
  ReadFollow(m, c.follow);
}

void ReadMailLog(MapReader& m, Labels& labels, MailLogConfig& c) {
  m.Bool("enabled", c.enabled);
  m.ListOfSections("logs", [&](MapReader& l) {
    auto& log = c.logs.emplace_back();
    ReadLogEntry(l, labels.logs, log.name, log.path);
  });
  m.List("rbls", c.rbls, [](const std::string& t) -> Expected<std::string> {
    if (!ParseHostName(t)) {
      return Error{"expected a DNS list name such as zen.spamhaus.org, got \"" + t + "\""};
    }
    return t;
  });
  if (c.rbls.size() > 32) {
    m.Fail("rbls", "at most 32 lists (each is a label value)");
  }
  m.Value("snowshoe_window", c.snowshoe_window, PositiveDuration);
  ReadFollow(m, c.follow);
}

}  // namespace

std::vector<reflection::Vector> ReflectionConfig::AllVectors() {
  std::vector<reflection::Vector> all;
  for (const auto& v : reflection::kVectors) {
    all.push_back(v.vector);
  }
  return all;
}

std::string_view EmbeddedDefaultConfig() { return kEmbeddedDefault; }

Expected<Config> ParseConfig(const std::string& yaml, const std::string& source) {
  Config initial;
  initial.source = source;
  return DecodeDocument(
      yaml, source, std::move(initial), [](YamlReader& reader, MapReader& top, Config& config) {
        Labels labels;
        top.Section("global", [&](MapReader& m) { ReadGlobal(m, config.global); });
        top.Section("process", [&](MapReader& m) { ReadProcess(m, config.process); });
        top.Section("reflection", [&](MapReader& m) { ReadReflection(m, config.reflection); });
        top.Section("httpd",
                    [&](MapReader& m) { ReadHttpd(m, config.global, labels, config.httpd); });
        top.Section("bgp", [&](MapReader& m) { ReadBgp(m, labels, config.bgp); });
        top.Section("access_log",
                    [&](MapReader& m) { ReadAccessLog(m, labels, config.access_log); });
        top.Section("mail_log", [&](MapReader& m) { ReadMailLog(m, labels, config.mail_log); });
        labels.servers.ReportDuplicates(reader);
        labels.neighbors.ReportDuplicates(reader);
        labels.logs.ReportDuplicates(reader);
      });
}

Expected<Config> LoadConfigFile(const std::string& path) {
  auto text = ReadConfigText(path, "config file");
  if (!text) {
    return text.error();
  }
  return ParseConfig(*text, path);
}

Expected<Config> LoadConfig(const std::optional<std::string>& file) {
  return file ? LoadConfigFile(*file) : Expected<Config>(DefaultConfig());
}

Config DefaultConfig() {
  // A unit test keeps the embedded default valid.
  return ParseConfig(std::string(kEmbeddedDefault), kEmbeddedDefaultSource).value();
}

}  // namespace edgewatch
