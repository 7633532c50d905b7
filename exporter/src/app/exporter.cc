#include "app/exporter.h"

#include <sstream>

#include "core/metric_sink.h"
#include "core/version.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kBuildInfo{
    "edgewatch_build_info", prometheus::MetricType::Gauge,
    "A metric with a constant '1' value labeled by version, revision and compiler."};
constexpr MetricDesc kConfigLastReloadSuccessful{
    "edgewatch_config_last_reload_successful", prometheus::MetricType::Gauge,
    "Whether the last configuration load or reload succeeded."};
constexpr MetricDesc kConfigLastReloadSuccessTimestampSeconds{
    "edgewatch_config_last_reload_success_timestamp_seconds", prometheus::MetricType::Gauge,
    "Time of the last successful configuration load, in seconds since the epoch."};
constexpr const MetricDesc* kMetrics[] = {&kBuildInfo, &kConfigLastReloadSuccessful,
                                          &kConfigLastReloadSuccessTimestampSeconds};

}  // namespace

MetricCatalogue ExporterMetrics() { return kMetrics; }

void AddBuildInfo(MetricSink& sink) {
#if defined(__clang__)
  const std::string compiler = "clang-" __clang_version__;
#else
  const std::string compiler = "gcc-" __VERSION__;
#endif
  sink.Add(kBuildInfo, {{"version", kVersion}, {"revision", kRevision}, {"compiler", compiler}}, 1);
}

Exporter::Exporter(ExporterOptions options, std::span<const CollectorRegistration> registry,
                   const Clock& clock, Logger logger)
    : options_(std::move(options)),
      registry_(registry),
      clock_(clock),
      logger_(std::move(logger)) {}

Exporter::~Exporter() { Stop(); }

Expected<Exporter::Running> Exporter::Build() const {
  auto config = LoadConfig(options_.config_file, ConfigSectionsOf(registry_));
  if (!config) {
    return config.error();
  }
  Running next{std::make_shared<const Config>(std::move(*config)), nullptr, {}};
  CollectorContext context{*next.config, clock_, logger_, options_.procfs_root};
  std::optional<RunningCollectors> running;
  if (running_.set) {
    running.emplace(RunningCollectors{*running_.config, *running_.set});
  }
  auto collectors = MakeEnabledCollectors(registry_, options_.collector_overrides, context,
                                          running ? &*running : nullptr);
  for (const auto& c : collectors) {
    if (c.running) {
      next.carried_over.push_back(c.name);
    }
    if (c.reconfigure) {
      next.reconfigure.push_back(c.reconfigure);
    }
  }
  next.set = std::make_shared<CollectorSet>(std::move(collectors),
                                            next.config->global.collector_timeout, clock_, logger_);
  Status started = next.set->StartAll();
  if (!started) {
    return started.error();
  }
  return next;
}

void Exporter::RecordReload(bool ok) {
  last_reload_ok_ = ok;
  if (ok) {
    last_reload_success_seconds_ = ToUnixSeconds(clock_.Now());
  }
}

void Exporter::Replace(Running next) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors_ = next.set;
  }
  if (running_.set) {
    if (next.set) {
      running_.set->StopAllBut(*next.set);
    } else {
      running_.set->StopAll();
    }
  }
  running_ = std::move(next);
}

Status Exporter::Start() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  auto next = Build();
  RecordReload(next.ok());
  if (!next) {
    return next.error();
  }
  Replace(std::move(*next));
  return {};
}

Status Exporter::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  auto next = Build();
  RecordReload(next.ok());
  if (!next) {
    logger_.Error("reload failed; keeping the running configuration",
                  {{"err", next.error().message}});
    return next.error();
  }
  std::string kept;
  for (const auto& name : next->carried_over) {
    kept += (kept.empty() ? "" : ",") + name;
  }
  Replace(std::move(*next));
  for (auto& reconfigure : std::exchange(running_.reconfigure, {})) {
    reconfigure();
  }
  logger_.Info("configuration reloaded",
               {{"config", options_.config_file.value_or(kEmbeddedDefaultSource)},
                {"kept_collectors", kept}});
  return {};
}

void Exporter::Stop() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  Replace({});
}

std::vector<std::string> Exporter::EnabledCollectors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return collectors_ ? collectors_->Names() : std::vector<std::string>{};
}

bool Exporter::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return collectors_ != nullptr;
}

std::string Exporter::Scrape(const std::function<void(MetricSink&)>& extra,
                             ExpositionFormat format) const {
  std::shared_ptr<CollectorSet> set;
  {
    std::lock_guard<std::mutex> lock(mu_);
    set = collectors_;
  }
  std::vector<prometheus::MetricFamily> families;
  if (set) {
    families = set->Collect();
  }
  MetricSink meta;
  AddBuildInfo(meta);
  meta.Add(kConfigLastReloadSuccessful, {}, last_reload_ok_ ? 1 : 0);
  meta.Add(kConfigLastReloadSuccessTimestampSeconds, {}, last_reload_success_seconds_);
  if (extra) {
    extra(meta);
  }
  for (auto& f : std::move(meta).Take()) {
    families.push_back(std::move(f));
  }
  return Serialize(families, format);
}

}  // namespace edgewatch
