#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/registry.h"
#include "core/collector.h"
#include "core/logger.h"
#include "parsers/expected.h"

namespace edgewatch {

enum class Command { kServe, kCheckConfig, kReplay, kVersion, kHelp, kHelpMan };

// Everything the command line says. Flags follow Prometheus conventions (--config.file,
// --web.listen-address, ...); both --flag=value and --flag value work.
struct CliOptions {
  Command command = Command::kServe;
  std::optional<std::string> config_file;
  std::vector<std::string> listen_addresses;  // empty: the default :10123
  std::string telemetry_path = "/metrics";
  std::optional<std::string> web_config_file;
  // --config.auto-reload-interval: how often the config file is checked for a change, which
  // reloads it as SIGHUP would (Prometheus 3's flag); 0: never.
  std::chrono::milliseconds config_auto_reload_interval{0};
  std::size_t max_connections = 10000;  // --web.max-connections
  std::size_t max_requests = 40;        // --web.max-requests
  bool enable_lifecycle = false;        // --web.enable-lifecycle
  bool systemd_socket = false;          // --web.systemd-socket: listen on what systemd passes
  // --web.disable-exporter-metrics clears it: no process_* (the process collector) and no
  // edgewatch_web_* (the HTTP server's own families), as node_exporter drops process_*, go_* and
  // promhttp_*. Build info, scrape and reload health stay.
  bool exporter_metrics = true;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  std::string procfs_root = "/proc";
  // --collector.X / --no-collector.X; with --collector.disable-defaults every collector not
  // named by --collector.X is off, whatever the config says.
  std::map<std::string, bool> collector_overrides;
  // replay --output.history / --output.step: the history's step; none: the final exposition.
  std::optional<std::chrono::milliseconds> history_step;
  // --output.label NAME=VALUE: the target labels every history series carries, as Prometheus
  // adds them to what it scrapes (the alert rules select job="edgewatch").
  std::vector<std::pair<std::string, std::string>> history_labels = {{"job", "edgewatch"},
                                                                     {"instance", "replay"}};
  // replay: (collector name, file), from the collectors' replay flags (--pcap, --access-log, ...)
  std::vector<std::pair<std::string, std::string>> replay_inputs;
};

inline constexpr char kDefaultListenAddress[] = ":10123";

// Parses argv (args[0] is the program). Errors are one line, ready to print before "see --help".
Expected<CliOptions> ParseCli(std::span<const std::string_view> args,
                              std::span<const CollectorRegistration> registry);

// --help: usage, commands, and every flag with its default.
std::string HelpText(std::span<const CollectorRegistration> registry);

// --help-man: the manual page edgewatch(1) in troff (man(7) macros), from the same flag table, as
// the kingpin-based Prometheus tools print theirs. `version` goes in its header.
std::string ManPage(std::span<const CollectorRegistration> registry, std::string_view version);

}  // namespace edgewatch
