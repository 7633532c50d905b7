#include "collectors/access_log_collector.h"
#include "collectors/bgp_collector.h"
#include "collectors/flow_collector.h"
#include "collectors/httpd_collector.h"
#include "collectors/mail_log_collector.h"
#include "collectors/process_collector.h"
#include "collectors/reflection_collector.h"
#include "collectors/registry.h"

namespace edgewatch {

std::span<const CollectorRegistration> AllCollectors() {
  static const CollectorRegistration kAll[] = {
      kProcessCollector,   kReflectionCollector, kHttpdCollector, kBgpCollector,
      kAccessLogCollector, kMailLogCollector,    kFlowCollector,
  };
  return kAll;
}

std::vector<const ConfigSection*> ConfigSectionsOf(
    std::span<const CollectorRegistration> registry) {
  std::vector<const ConfigSection*> out;
  for (const auto& r : registry) {
    if (r.config != nullptr) {
      out.push_back(r.config);
    }
  }
  return out;
}

const CollectorRegistration* FindCollector(std::span<const CollectorRegistration> registry,
                                           std::string_view name) {
  for (const auto& r : registry) {
    if (r.name == name) {
      return &r;
    }
  }
  return nullptr;
}

bool IsEnabled(const CollectorRegistration& registration,
               const std::map<std::string, bool>& overrides, const Config& config) {
  const auto it = overrides.find(std::string(registration.name));
  return it != overrides.end() ? it->second : registration.enabled(config);
}

std::vector<NamedCollector> MakeEnabledCollectors(std::span<const CollectorRegistration> registry,
                                                  const std::map<std::string, bool>& overrides,
                                                  const CollectorContext& base,
                                                  const RunningCollectors* running) {
  std::vector<NamedCollector> out;
  for (const auto& r : registry) {
    if (!IsEnabled(r, overrides, base.config)) {
      continue;
    }
    if (running != nullptr && r.take_over != nullptr) {
      if (auto collector = running->set.Find(r.name)) {
        if (auto kept = r.take_over(*collector, running->config, base.config)) {
          out.push_back({std::string(r.name), std::move(collector), true, std::move(*kept)});
          continue;
        }
      }
    }
    CollectorContext context = base;
    context.logger = base.logger.With("collector", r.name);
    out.push_back({std::string(r.name), std::shared_ptr<Collector>(r.make(context))});
  }
  return out;
}

}  // namespace edgewatch
