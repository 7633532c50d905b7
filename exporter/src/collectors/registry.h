#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/collector.h"
#include "core/collector_set.h"
#include "core/logger.h"

namespace edgewatch {

// What a collector factory gets: its config, time, a logger already tagged collector=NAME, and
// host paths rooted at flags so tests point them at fixtures.
struct CollectorContext {
  const Config& config;
  const Clock& clock;
  Logger logger;
  std::string procfs_root;  // --path.procfs
};

// What `edgewatch replay` feeds a collector: files named by one flag, read by
// Collector::Replay().
struct ReplayInput {
  std::string_view flag;  // "--pcap"; empty: the collector replays nothing
  std::string_view help;  // for --help
  // The label a replayed file's series carry its file name in ("log", "server"): two files of
  // one name under one label would give duplicate series. Empty: files are not told apart.
  std::string_view label;
};

// What a reload does with a running collector: nullopt, build it anew; otherwise it takes the
// new config in place, keeping its counters, capture and log positions, and the function (which
// may be empty) is what changes in it once the new config serves.
using TakeOver = std::optional<std::function<void()>>;

// Everything edgewatch knows of one collector; each collector defines its own beside its code
// and all_collectors.cc lists them, one line each.
struct CollectorRegistration {
  std::string_view name;
  std::string_view description;
  bool (*enabled)(const Config& config);
  std::unique_ptr<Collector> (*make)(const CollectorContext& context);
  // A reload from `was` to `next`: what happens to `running` (built by `make`, so of this
  // collector's type). `next` outlives the function returned. Null: always built anew.
  TakeOver (*take_over)(Collector& running, const Config& was, const Config& next);
  ReplayInput replay;
  // Every family it exports but the shared edgewatch_log_* ones (LogHealthMetrics()) and
  // reflection traffic ones (ReflectionTrafficMetrics()).
  MetricCatalogue metrics;
  // Its config section (config/<name>_config.h); null: none of its own.
  const ConfigSection* config;
};

// take_over for a collector whose state is worth keeping while its config section stays the
// same.
template <class Section>
TakeOver KeepWhileSectionSame(Collector& /*running*/, const Config& was, const Config& next) {
  if (was.Section<Section>() == next.Section<Section>()) {
    return std::function<void()>();
  }
  return std::nullopt;
}

// Every collector edgewatch has, in exposition order.
std::span<const CollectorRegistration> AllCollectors();

// The config sections of `registry`'s collectors, for ParseConfig and LoadConfig.
std::vector<const ConfigSection*> ConfigSectionsOf(std::span<const CollectorRegistration> registry);

// The registration called `name`, or null.
const CollectorRegistration* FindCollector(std::span<const CollectorRegistration> registry,
                                           std::string_view name);

// Whether a collector runs: its config section says so, unless `overrides` (from
// --collector.NAME / --no-collector.NAME) says otherwise.
bool IsEnabled(const CollectorRegistration& registration,
               const std::map<std::string, bool>& overrides, const Config& config);

// The collectors a reload replaces, with the configuration they run.
struct RunningCollectors {
  const Config& config;
  const CollectorSet& set;
};

// Builds the enabled collectors: a collector runs if its config section enables it, unless
// `overrides` (from --collector.NAME / --no-collector.NAME) says otherwise. With `running` (a
// reload), one that runs and takes the new config over is kept instead of built; base.config
// must outlive what it returns.
std::vector<NamedCollector> MakeEnabledCollectors(std::span<const CollectorRegistration> registry,
                                                  const std::map<std::string, bool>& overrides,
                                                  const CollectorContext& base,
                                                  const RunningCollectors* running = nullptr);

}  // namespace edgewatch
