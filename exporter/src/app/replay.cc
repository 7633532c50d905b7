#include <filesystem>
#include <map>
#include <sstream>

#include "app/commands.h"
#include "app/exporter.h"
#include "core/exposition.h"
#include "core/metric_sink.h"

namespace edgewatch {

int RunReplay(const CliOptions& options, std::span<const CollectorRegistration> registry,
              std::ostream& out, std::ostream& err) {
  SystemClock clock;
  Logger logger(err, options.log_level, options.log_format, clock);
  auto config = LoadConfig(options.config_file, ConfigSectionsOf(registry));
  if (!config) {
    err << "edgewatch: invalid config:\n" << config.error().message << "\n";
    return kExitUsage;
  }
  // Replayed files are named after their files under their collector's label (access and mail
  // logs share `log`): two inputs of one name would give duplicate series.
  std::map<std::pair<std::string_view, std::string>, std::string> named;
  for (const auto& [collector, path] : options.replay_inputs) {
    const std::string_view label = FindCollector(registry, collector)->replay.label;
    if (label.empty()) {
      continue;  // e.g. every capture counts under interface="replay"
    }
    const std::string name = std::filesystem::path(path).filename().string();
    const auto [it, fresh] = named.emplace(std::pair(label, name), path);
    if (!fresh) {
      err << "edgewatch: replay: " << it->second << " and " << path << " are both named " << name
          << ", and series are labelled by file name; give one another name (a copy or a "
             "symlink)\n";
      return kExitUsage;
    }
  }
  CollectorContext context{*config, clock, logger, options.procfs_root};
  auto collectors = MakeEnabledCollectors(registry, options.collector_overrides, context);

  // The same collectors as `serve`, fed from files instead of live sources; only those that
  // read an input are printed, so the output is reproducible.
  std::vector<bool> used(collectors.size(), false);
  for (const auto& [collector, path] : options.replay_inputs) {
    const std::string_view flag = FindCollector(registry, collector)->replay.flag;
    std::size_t i = 0;
    while (i < collectors.size() && collectors[i].name != collector) {
      ++i;
    }
    if (i == collectors.size()) {
      err << "edgewatch: " << flag << " files are read by the " << collector
          << " collector, which is disabled; enable it in the config or with --collector."
          << collector << "\n";
      return kExitUsage;
    }
    used[i] = true;
    if (Status s = collectors[i].collector->Replay(path); !s) {
      err << "edgewatch: replay " << flag << " " << path << ": collector " << collector << ": "
          << s.error().message << "\n";
      return kExitRuntime;
    }
  }

  std::vector<prometheus::MetricFamily> families;
  for (size_t i = 0; i < collectors.size(); ++i) {
    if (!used[i]) {
      continue;
    }
    MetricSink sink;
    if (Status s = collectors[i].collector->Collect(sink); !s) {
      err << "edgewatch: collector " << collectors[i].name << ": " << s.error().message << "\n";
      return kExitRuntime;
    }
    AppendFamilies(families, std::move(sink).Take());
  }
  MetricSink meta;
  AddBuildInfo(meta);
  AppendFamilies(families, std::move(meta).Take());
  out << Serialize(families, ExpositionFormat::kText);
  return kExitOk;
}

}  // namespace edgewatch
