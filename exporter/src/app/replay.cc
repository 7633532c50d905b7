#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "app/commands.h"
#include "app/exporter.h"
#include "app/history_exposition.h"
#include "core/exposition.h"
#include "core/metric_sink.h"

namespace edgewatch {

namespace {

// The families of the collectors that read an input.
Status CollectUsed(const std::vector<NamedCollector>& collectors, const std::vector<bool>& used,
                   std::vector<prometheus::MetricFamily>& families) {
  for (std::size_t i = 0; i < collectors.size(); ++i) {
    if (!used[i]) {
      continue;
    }
    MetricSink sink;
    if (Status s = collectors[i].collector->Collect(sink); !s) {
      return Error{"collector " + collectors[i].name + ": " + s.error().message};
    }
    AppendFamilies(families, std::move(sink).Take());
  }
  return {};
}

// The next time any input has a record at, if any.
std::optional<std::int64_t> Earliest(const std::vector<std::unique_ptr<ReplaySource>>& sources,
                                     const ReplaySource* other_than = nullptr) {
  std::optional<std::int64_t> t;
  for (const auto& s : sources) {
    if (s.get() == other_than) {
      continue;
    }
    if (const auto next = s->NextTime(); next && (!t || *next < *t)) {
      t = next;
    }
  }
  return t;
}

// As Prometheus stores a scrape: the target's labels on every series, and `up`.
constexpr MetricDesc kUp{"up", prometheus::MetricType::Gauge,
                         "1: the target was scraped (here: replayed) at this time."};

void AsScraped(std::vector<prometheus::MetricFamily>& families,
               const std::vector<std::pair<std::string, std::string>>& target) {
  MetricSink up;
  up.Add(kUp, {}, 1);
  AppendFamilies(families, std::move(up).Take());
  for (auto& f : families) {
    for (auto& m : f.metric) {
      for (const auto& [name, value] : target) {
        m.label.push_back({name, value});
      }
    }
  }
}

// Replay as history: every input read in time order across inputs (the one with the earliest
// record reads up to the next record of any other), the series snapshotted at every step from
// the step after the first record to the step of the last.
Status ReplayHistory(const std::vector<NamedCollector>& collectors, const std::vector<bool>& used,
                     const std::vector<std::unique_ptr<ReplaySource>>& sources,
                     const CliOptions& options, std::ostream& out) {
  const std::chrono::milliseconds step_ms = *options.history_step;
  const std::int64_t step = std::chrono::duration_cast<std::chrono::nanoseconds>(step_ms).count();
  const std::optional<std::int64_t> first = Earliest(sources);
  if (!first) {
    return Error{"no input has records with times of their own (a capture or a log)"};
  }
  constexpr std::int64_t kGapNs = 3600LL * 1'000'000'000;
  HistoryExposition history;
  std::int64_t last_record = *first;  // the step of the latest record read
  for (std::int64_t t = (*first / step + (*first % step != 0 ? 1 : 0)) * step;; t += step) {
    for (;;) {
      ReplaySource* next = nullptr;
      std::int64_t at = 0;
      for (const auto& s : sources) {
        if (const auto n = s->NextTime(); n && *n <= t && (next == nullptr || *n < at)) {
          next = s.get();
          at = *n;
        }
      }
      if (next == nullptr) {
        break;
      }
      last_record = t;
      const std::optional<std::int64_t> other = Earliest(sources, next);
      if (Status s = next->ReadUntil(other ? std::min(t, std::max(*other, at)) : t); !s) {
        return s;
      }
    }
    for (const auto& s : sources) {
      if (Status r = s->ReadUntil(t); !r) {
        return r;
      }
    }
    std::vector<prometheus::MetricFamily> families;
    if (Status s = CollectUsed(collectors, used, families); !s) {
      return s;
    }
    AsScraped(families, options.history_labels);
    if (Status s = history.Add(t / 1'000'000, families); !s) {
      return s;
    }
    const std::optional<std::int64_t> next = Earliest(sources);
    if (!next) {
      break;
    }
    // A quiet stretch of more than an hour (inputs of different days, a log with a gap) is
    // written for its first hour, when windows drain and rates fall to 0, then skipped.
    if (*next - t > kGapNs && t - last_record >= kGapNs) {
      t = (*next / step + (*next % step != 0 ? 1 : 0)) * step - step;  // then += step
    }
  }
  return history.Write(out);
}

}  // namespace

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
  std::vector<std::unique_ptr<ReplaySource>> sources;  // --output.history
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
    Status s;
    if (options.history_step) {
      auto source = collectors[i].collector->OpenReplay(path);
      if (source) {
        sources.push_back(std::move(*source));
      } else {
        s = source.error();
      }
    } else {
      s = collectors[i].collector->Replay(path);
    }
    if (!s) {
      err << "edgewatch: replay " << flag << " " << path << ": collector " << collector << ": "
          << s.error().message << "\n";
      return kExitRuntime;
    }
  }
  if (options.history_step) {
    if (Status s = ReplayHistory(collectors, used, sources, options, out); !s) {
      err << "edgewatch: replay: " << s.error().message << "\n";
      return kExitRuntime;
    }
    return kExitOk;
  }

  std::vector<prometheus::MetricFamily> families;
  if (Status s = CollectUsed(collectors, used, families); !s) {
    err << "edgewatch: " << s.error().message << "\n";
    return kExitRuntime;
  }
  MetricSink meta;
  AddBuildInfo(meta);
  AppendFamilies(families, std::move(meta).Take());
  out << Serialize(families, ExpositionFormat::kText);
  return kExitOk;
}

}  // namespace edgewatch
