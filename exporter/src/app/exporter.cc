#include "app/exporter.h"

#include <sstream>

#include "core/metric_sink.h"
#include "core/version.h"
#include "prometheus/text_serializer.h"

namespace edgewatch {

void AddBuildInfo(MetricSink& sink) {
#if defined(__clang__)
  const std::string compiler = "clang-" __clang_version__;
#else
  const std::string compiler = "gcc-" __VERSION__;
#endif
  sink.Gauge("edgewatch_build_info",
             "A metric with a constant '1' value labeled by version, revision and compiler.",
             {{"version", kVersion}, {"revision", kRevision}, {"compiler", compiler}}, 1);
}

Exporter::Exporter(ExporterOptions options, std::span<const CollectorRegistration> registry,
                   const Clock& clock, Logger logger)
    : options_(std::move(options)),
      registry_(registry),
      clock_(clock),
      logger_(std::move(logger)) {}

Exporter::~Exporter() { Stop(); }

Expected<std::shared_ptr<CollectorSet>> Exporter::Build() const {
  auto config = LoadConfig(options_.config_file);
  if (!config) {
    return config.error();
  }
  CollectorContext context{*config, clock_, logger_, options_.procfs_root};
  auto set = std::make_shared<CollectorSet>(
      MakeEnabledCollectors(registry_, options_.collector_overrides, context),
      config->global.collector_timeout, clock_, logger_);
  Status started = set->StartAll();
  if (!started) {
    return started.error();
  }
  return set;
}

void Exporter::RecordReload(bool ok) {
  last_reload_ok_ = ok;
  if (ok) {
    last_reload_success_seconds_ = ToUnixSeconds(clock_.Now());
  }
}

Status Exporter::Start() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  auto set = Build();
  RecordReload(set.ok());
  if (!set) {
    return set.error();
  }
  std::lock_guard<std::mutex> lock(mu_);
  collectors_ = std::move(*set);
  return {};
}

Status Exporter::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  auto set = Build();
  RecordReload(set.ok());
  if (!set) {
    logger_.Error("reload failed; keeping the running configuration",
                  {{"err", set.error().message}});
    return set.error();
  }
  std::shared_ptr<CollectorSet> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(collectors_, std::move(*set));
  }
  if (old) {
    old->StopAll();
  }
  logger_.Info("configuration reloaded",
               {{"config", options_.config_file.value_or("<embedded default>")}});
  return {};
}

void Exporter::Stop() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  std::shared_ptr<CollectorSet> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(collectors_, nullptr);
  }
  if (old) {
    old->StopAll();
  }
}

std::vector<std::string> Exporter::EnabledCollectors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return collectors_ ? collectors_->Names() : std::vector<std::string>{};
}

bool Exporter::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return collectors_ != nullptr;
}

std::string Exporter::Scrape() const {
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
  meta.Gauge("edgewatch_config_last_reload_successful",
             "Whether the last configuration load or reload succeeded.", {},
             last_reload_ok_ ? 1 : 0);
  meta.Gauge("edgewatch_config_last_reload_success_timestamp_seconds",
             "Time of the last successful configuration load, in seconds since the epoch.", {},
             last_reload_success_seconds_);
  for (auto& f : std::move(meta).Take()) {
    families.push_back(std::move(f));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace edgewatch
