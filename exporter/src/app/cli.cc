#include "app/cli.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/values.h"

namespace edgewatch {
namespace {

using Setter = Status (*)(CliOptions&, const std::string&);

struct Flag {
  std::string_view name;
  std::string_view default_text;  // empty: none
  std::string_view help;
  Setter set;  // nullptr: a switch handled by name
};

Status SetLogLevel(CliOptions& o, const std::string& v) {
  auto level = ParseLogLevel(v);
  if (!level) {
    return Error{"--log.level must be one of debug, info, warn, error; got \"" + v + "\""};
  }
  o.log_level = *level;
  return {};
}

Status SetLogFormat(CliOptions& o, const std::string& v) {
  auto format = ParseLogFormat(v);
  if (!format) {
    return Error{"--log.format must be logfmt or json; got \"" + v + "\""};
  }
  o.log_format = *format;
  return {};
}

Status SetListen(CliOptions& o, const std::string& v) {
  auto parsed = ParseListenAddress(v);
  if (!parsed) {
    return Error{"--web.listen-address: " + parsed.error().message};
  }
  o.listen_addresses.push_back(v);
  return {};
}

Status SetTelemetryPath(CliOptions& o, const std::string& v) {
  if (v.empty() || v.front() != '/' || v == "/" || v.starts_with("/-/")) {
    return Error{"--web.telemetry-path must start with / and not be / or under /-/; got \"" + v +
                 "\""};
  }
  o.telemetry_path = v;
  return {};
}

// A count flag: a number, positive unless `zero_ok`.
Status SetCount(std::string_view flag, const std::string& v, bool zero_ok, std::size_t& out) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || (n == 0 && !zero_ok)) {
    return Error{std::string(flag) +
                 (zero_ok ? " must be a number" : " must be a positive number") + "; got \"" + v +
                 "\""};
  }
  out = n;
  return {};
}

Status SetAutoReloadInterval(CliOptions& o, const std::string& v) {
  auto d = ParseDuration(v);
  if (!d) {
    return Error{"--config.auto-reload-interval: " + d.error().message};
  }
  o.config_auto_reload_interval = *d;
  return {};
}

Status SetOutputStep(CliOptions& o, const std::string& v) {
  auto d = ParseDuration(v);
  if (!d || d->count() < 1000) {
    return Error{"--output.step: expected a duration of at least 1s, such as 15s; got \"" + v +
                 "\""};
  }
  o.history_step = *d;
  return {};
}

// --output.label NAME=VALUE replaces the default job or instance, or adds a label.
Status SetOutputLabel(CliOptions& o, const std::string& v) {
  const auto eq = v.find('=');
  const std::string name = v.substr(0, eq);
  const bool valid_name = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                          std::all_of(name.begin(), name.end(), [](char c) {
                            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                          });
  if (eq == std::string::npos || !valid_name || name.starts_with("__")) {
    return Error{"--output.label: expected NAME=VALUE with a Prometheus label name; got \"" + v +
                 "\""};
  }
  auto& labels = o.history_labels;
  std::erase_if(labels, [&](const auto& l) { return l.first == name; });
  labels.emplace_back(name, v.substr(eq + 1));
  return {};
}

Status SetMaxConnections(CliOptions& o, const std::string& v) {
  return SetCount("--web.max-connections", v, false, o.max_connections);
}

Status SetMaxRequests(CliOptions& o, const std::string& v) {
  return SetCount("--web.max-requests", v, true, o.max_requests);
}

constexpr Flag kFlags[] = {
    {"--config.file", "", "YAML configuration file; without it the embedded default runs",
     [](CliOptions& o, const std::string& v) -> Status {
       o.config_file = v;
       return {};
     }},
    {"--config.check", "", "validate the configuration, print every error and exit (0 or 2)",
     nullptr},
    {"--config.auto-reload-interval", "0s",
     "check the config file this often and reload it when its content changed (a ConfigMap); "
     "0s: only on SIGHUP or POST /-/reload",
     &SetAutoReloadInterval},
    {"--web.listen-address", kDefaultListenAddress,
     "address to listen on, [host]:port; repeat the flag for several", &SetListen},
    {"--web.telemetry-path", "/metrics", "path under which metrics are served", &SetTelemetryPath},
    {"--web.config.file", "", "exporter-toolkit web config: tls_server_config and basic_auth_users",
     [](CliOptions& o, const std::string& v) -> Status {
       o.web_config_file = v;
       return {};
     }},
    {"--web.max-connections", "10000",
     "open HTTP connections; past it the oldest idle or unfinished one is closed",
     &SetMaxConnections},
    {"--web.max-requests", "40", "scrapes served at once, more get 503; 0 means no limit",
     &SetMaxRequests},
    {"--web.enable-lifecycle", "", "allow POST /-/reload (SIGHUP always reloads)", nullptr},
    {"--web.systemd-socket", "",
     "accept on the sockets systemd passes (socket activation) instead of --web.listen-address",
     nullptr},
    {"--web.disable-exporter-metrics", "",
     "leave out the exporter's own process_* (the process collector) and edgewatch_web_* metrics",
     nullptr},
    {"--collector.disable-defaults", "",
     "disable every collector but those enabled with --collector.NAME, whatever the config says",
     nullptr},
    {"--output.history", "",
     "replay: print the series as they evolved over the inputs' own time (OpenMetrics with "
     "timestamps, one sample per series per --output.step), for promtool tsdb "
     "create-blocks-from openmetrics",
     nullptr},
    {"--output.step", "15s",
     "replay with --output.history: the time between samples (a scrape "
     "interval; giving it implies --output.history)",
     &SetOutputStep},
    {"--output.label", "job=edgewatch, instance=replay",
     "replay with --output.history: a target label on every series (repeatable), as Prometheus "
     "adds job and instance to what it scrapes",
     &SetOutputLabel},
    {"--log.level", "info", "debug, info, warn or error", &SetLogLevel},
    {"--log.format", "logfmt", "logfmt or json, on stderr", &SetLogFormat},
    {"--path.procfs", "/proc", "procfs mount point",
     [](CliOptions& o, const std::string& v) -> Status {
       o.procfs_root = v;
       return {};
     }},
    {"--version", "", "print version and exit", nullptr},
    {"--help", "", "print this help and exit", nullptr},
    {"--help-man", "", "print the manual page edgewatch(1) in troff and exit", nullptr},
};

const Flag* FindFlag(std::string_view name) {
  for (const auto& f : kFlags) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

// The collector whose replay flag is `flag`, or null.
const CollectorRegistration* ReplayedBy(std::span<const CollectorRegistration> registry,
                                        std::string_view flag) {
  for (const auto& r : registry) {
    if (!r.replay.flag.empty() && r.replay.flag == flag) {
      return &r;
    }
  }
  return nullptr;
}

// "--pcap, --access-log or --mod-status" (`last` joins the last two).
std::string ReplayFlags(std::span<const CollectorRegistration> registry, std::string_view last) {
  std::vector<std::string_view> flags;
  for (const auto& r : registry) {
    if (!r.replay.flag.empty()) {
      flags.push_back(r.replay.flag);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) {
      out += i + 1 == flags.size() ? " " + std::string(last) + " " : ", ";
    }
    out += flags[i];
  }
  return out;
}

}  // namespace

Expected<CliOptions> ParseCli(std::span<const std::string_view> args,
                              std::span<const CollectorRegistration> registry) {
  CliOptions o;
  std::vector<std::string> positional;
  bool config_check = false;
  bool disable_defaults = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("-")) {
      positional.emplace_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    if (name == "--help" || name == "-h") {
      o.command = Command::kHelp;
      return o;
    }
    if (name == "--version") {
      o.command = Command::kVersion;
      return o;
    }
    if (name == "--help-man") {
      o.command = Command::kHelpMan;
      return o;
    }
    if (name == "--config.check") {
      config_check = true;
      continue;
    }
    if (name == "--web.enable-lifecycle") {
      o.enable_lifecycle = true;
      continue;
    }
    if (name == "--web.systemd-socket") {
      o.systemd_socket = true;
      continue;
    }
    if (name == "--output.history") {
      if (!o.history_step) {
        o.history_step = std::chrono::seconds(15);
      }
      continue;
    }
    if (name == "--web.disable-exporter-metrics") {
      o.exporter_metrics = false;
      continue;
    }
    if (name == "--collector.disable-defaults") {
      disable_defaults = true;
      continue;
    }
    if (name.starts_with("--collector.") || name.starts_with("--no-collector.")) {
      const std::string collector(name.substr(name.find('.') + 1));
      if (FindCollector(registry, collector) == nullptr || eq != std::string_view::npos) {
        return Error{"unknown collector flag " + std::string(arg)};
      }
      o.collector_overrides[collector] = name.starts_with("--collector.");
      continue;
    }
    const Flag* flag = FindFlag(name);
    const CollectorRegistration* replayed = ReplayedBy(registry, name);
    if ((flag == nullptr || flag->set == nullptr) && replayed == nullptr) {
      return Error{"unknown flag " + std::string(name)};
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      value = std::string(args[++i]);
    } else {
      return Error{"flag " + std::string(name) + " needs a value"};
    }
    if (replayed != nullptr) {
      o.replay_inputs.emplace_back(replayed->name, std::move(value));
      continue;
    }
    Status s = flag->set(o, value);
    if (!s) {
      return s.error();
    }
  }

  if (!positional.empty() && positional[0] == "check-config") {
    o.command = Command::kCheckConfig;
    if (positional.size() > 2) {
      return Error{"check-config takes one FILE"};
    }
    if (positional.size() == 2) {
      o.config_file = positional[1];
    }
  } else if (!positional.empty() && positional[0] == "replay") {
    o.command = Command::kReplay;
    if (positional.size() > 1) {
      return Error{"replay takes its files as " + ReplayFlags(registry, "or")};
    }
    if (o.replay_inputs.empty()) {
      return Error{"replay needs at least one " + ReplayFlags(registry, "or")};
    }
  } else if (!positional.empty()) {
    return Error{"unknown command \"" + positional[0] + "\" (commands: check-config, replay)"};
  } else if (config_check) {
    o.command = Command::kCheckConfig;
  }
  if (o.command != Command::kReplay && o.history_step) {
    return Error{"--output.history and --output.step belong to the replay command"};
  }
  if (o.command != Command::kReplay && !o.replay_inputs.empty()) {
    return Error{ReplayFlags(registry, "and") + " belong to the replay command"};
  }
  if (o.systemd_socket && !o.listen_addresses.empty()) {
    return Error{"--web.systemd-socket and --web.listen-address exclude each other"};
  }
  if (!o.exporter_metrics) {
    if (const auto it = o.collector_overrides.find("process");
        it != o.collector_overrides.end() && it->second) {
      return Error{"--collector.process and --web.disable-exporter-metrics contradict each other"};
    }
    o.collector_overrides["process"] = false;
  }
  if (disable_defaults) {
    for (const auto& r : registry) {
      o.collector_overrides.try_emplace(std::string(r.name), false);  // keeps --collector.X
    }
  }
  return o;
}

namespace {

// What --help and --help-man list, in order: `flag(name, takes_value, help, default_text)` for
// each entry of the flag table, then for each collector's replay flag.
template <typename Flag>
void ListFlags(Flag&& flag) {
  for (const auto& f : kFlags) {
    flag(f.name, f.set != nullptr, f.help, f.default_text);
  }
}

template <typename Flag>
void ListReplayFlags(std::span<const CollectorRegistration> registry, Flag&& flag) {
  for (const auto& r : registry) {
    if (!r.replay.flag.empty()) {
      flag(r.replay.flag, true,
           std::string(r.replay.help) + ", for the " + std::string(r.name) + " collector", "");
    }
  }
}

}  // namespace

std::string HelpText(std::span<const CollectorRegistration> registry) {
  std::string out =
      "usage: edgewatch [flags]                      serve metrics over HTTP\n"
      "       edgewatch check-config [FILE]          validate a config (or --config.check)\n"
      "       edgewatch replay [--config.file F] FILES  read recorded files to EOF, print the\n"
      "                                             exposition (FILES: the replay flags below)\n"
      "\nflags:\n";
  auto flag = [&out](std::string_view name, bool value, std::string_view help,
                     std::string_view default_text) {
    out += "  " + std::string(name) + (value ? "=VALUE" : "") + "\n      " + std::string(help);
    if (!default_text.empty()) {
      out += " (default: " + std::string(default_text) + ")";
    }
    out += "\n";
  };
  ListFlags(flag);
  out +=
      "  --collector.NAME / --no-collector.NAME\n"
      "      enable or disable a collector, overriding the config's `enabled`\n"
      "\nreplay flags (repeatable):\n";
  ListReplayFlags(registry, flag);
  out += "\ncollectors:\n";
  for (const auto& r : registry) {
    out += "  " + std::string(r.name) + ": " + std::string(r.description) + "\n";
  }
  return out;
}

namespace {

// Text for a troff line: backslashes and hyphens escaped, and a leading '.' or '\'' guarded so
// that help text never becomes a request.
std::string Roff(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) {
    out.insert(0, "\\&");
  }
  return out;
}

}  // namespace

std::string ManPage(std::span<const CollectorRegistration> registry, std::string_view version) {
  std::string out = ".TH EDGEWATCH 1 \"\" \"edgewatch " + Roff(version) +
                    "\" \"User Commands\"\n"
                    ".SH NAME\n"
                    "edgewatch \\- Prometheus exporter of edge attack precursors\n"
                    ".SH SYNOPSIS\n"
                    ".B edgewatch\n[\\fIFLAG\\fR ...]\n.br\n"
                    ".B edgewatch check\\-config\n[\\fIFILE\\fR]\n.br\n"
                    ".B edgewatch replay\n[\\fB\\-\\-config.file\\fR=\\fIFILE\\fR] "
                    "\\fIREPLAY\\-FLAG\\fR=\\fIFILE\\fR ...\n"
                    ".SH DESCRIPTION\n"
                    "edgewatch turns the precursors of an attack on a hosting or ISP edge into "
                    "Prometheus metrics: UDP reflection and NTP monlist traffic from a packet "
                    "capture, BGP neighbour reachability by ICMP, web server worker load, xmlrpc "
                    "and wp\\-login floods and exploit probes in access logs, and spam filter "
                    "pass\\-through in mail logs. It serves them over HTTP for Prometheus.\n"
                    ".PP\n"
                    "Without a command it serves metrics. \\fBcheck\\-config\\fR validates a "
                    "configuration and prints every error with its file, line and column. "
                    "\\fBreplay\\fR reads recorded captures and logs to their end and prints "
                    "the metrics they give.\n"
                    ".SH OPTIONS\n";
  const auto flag = [&out](std::string_view name, bool value, std::string_view help,
                           std::string_view default_text) {
    out += ".TP\n\\fB" + Roff(name) + "\\fR" + (value ? "=\\fIVALUE\\fR" : "") + "\n" + Roff(help);
    if (!default_text.empty()) {
      out += " (default: " + Roff(default_text) + ")";
    }
    out += "\n";
  };
  ListFlags(flag);
  out +=
      ".TP\n\\fB\\-\\-collector.\\fR\\fINAME\\fR, \\fB\\-\\-no\\-collector.\\fR\\fINAME\\fR\n"
      "enable or disable a collector, overriding the configuration's \\fBenabled\\fR\n"
      ".SH REPLAY FLAGS\nRepeatable; only with the \\fBreplay\\fR command.\n";
  ListReplayFlags(registry, flag);
  out += ".SH COLLECTORS\n";
  for (const auto& r : registry) {
    out += ".TP\n\\fB" + Roff(r.name) + "\\fR\n" + Roff(r.description) + "\n";
  }
  out +=
      ".SH SIGNALS\n"
      ".TP\n\\fBSIGHUP\\fR\nreload the configuration; a configuration with errors is "
      "refused and the running one stays\n"
      ".TP\n\\fBSIGTERM\\fR, \\fBSIGINT\\fR\nstop\n"
      ".SH ENDPOINTS\n"
      "\\fB/metrics\\fR (\\fB\\-\\-web.telemetry\\-path\\fR), \\fB/\\fR, "
      "\\fB/\\-/healthy\\fR, \\fB/\\-/ready\\fR, and \\fBPOST /\\-/reload\\fR with "
      "\\fB\\-\\-web.enable\\-lifecycle\\fR.\n"
      ".SH FILES\n"
      ".TP\n\\fI/etc/edgewatch/edgewatch.yml\\fR\nthe configuration of the packaged service\n"
      ".TP\n\\fI/etc/default/edgewatch\\fR\nflags for the packaged service, in "
      "\\fBARGS\\fR\n"
      ".SH EXIT STATUS\n"
      "0 on success, 1 on a failure at run time (for example a port in use), 2 on bad flags or "
      "a bad configuration.\n"
      ".SH SEE ALSO\n"
      "\\fBprometheus\\fR(1), /usr/share/doc/edgewatch/\n";
  return out;
}

}  // namespace edgewatch
