#pragma once

#include <map>
#include <memory>
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

struct CollectorRegistration {
  std::string_view name;
  std::string_view description;
  bool (*enabled)(const Config& config);
  std::unique_ptr<Collector> (*make)(const CollectorContext& context);
  // Whether a running collector carries over a reload from `running` to `next`, keeping its
  // counters, capture and log positions. Null: a reload always builds it again.
  bool (*carries_over)(const Config& running, const Config& next);
  // For one that carries over: what changes in it once `next` is in service. Null: nothing.
  void (*reconfigure)(Collector& running, const Config& next);
};

// Every collector edgewatch has, one line each in all_collectors.cc.
std::span<const CollectorRegistration> AllCollectors();

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
// reload), one that runs and carries over to the new config is taken over instead of built; its
// `reconfigure` refers to base.config, which must outlive the call.
std::vector<NamedCollector> MakeEnabledCollectors(std::span<const CollectorRegistration> registry,
                                                  const std::map<std::string, bool>& overrides,
                                                  const CollectorContext& base,
                                                  const RunningCollectors* running = nullptr);

}  // namespace edgewatch
