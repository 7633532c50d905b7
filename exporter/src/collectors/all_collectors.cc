#include "collectors/access_log_collector.h"
#include "collectors/bgp_collector.h"
#include "collectors/httpd_collector.h"
#include "collectors/mail_log_collector.h"
#include "collectors/process_collector.h"
#include "collectors/reflection_collector.h"
#include "collectors/registry.h"

namespace edgewatch {

namespace {

// A collector with state (counters, windows, capture, log positions) whose section did not change
// keeps running across a reload.
template <auto kSection>
bool SameSection(const Config& running, const Config& next) {
  return running.*kSection == next.*kSection;
}

template <auto kSection>
bool SameButLogs(const Config& running, const Config& next) {
  auto a = running.*kSection;
  auto b = next.*kSection;
  a.logs.clear();
  b.logs.clear();
  return a == b;
}

// Without local_networks, the addresses of the interface are read at start; a reload reads them
// again.
bool ReflectionCarriesOver(const Config& running, const Config& next) {
  return !next.reflection.local_networks.empty() && SameSection<&Config::reflection>(running, next);
}

}  // namespace

// process and httpd keep no state worth keeping; httpd reads password and CA files at start.
// The log collectors also carry over when only their list of logs changed: the logs that stay
// keep their state.
std::span<const CollectorRegistration> AllCollectors() {
  static constexpr CollectorRegistration kAll[] = {
      {"process", "the exporter's own CPU, memory and file descriptors (process_*)",
       [](const Config& c) { return c.process.enabled; }, &MakeProcessCollector, nullptr, nullptr},
      {"reflection", "UDP reflection/amplification (NTP monlist, DNS, SSDP, ...) from libpcap",
       [](const Config& c) { return c.reflection.enabled; }, &MakeReflectionCollector,
       &ReflectionCarriesOver, nullptr},
      {"httpd", "web server worker load: mod_status / stub_status pages and /proc processes",
       [](const Config& c) { return c.httpd.enabled; }, &MakeHttpdCollector, nullptr, nullptr},
      {"bgp", "BGP neighbour reachability: continuous ICMP echo, RTT histograms, loss",
       [](const Config& c) { return c.bgp.enabled; }, &MakeBgpCollector, &SameSection<&Config::bgp>,
       nullptr},
      {"access_log", "httpd access logs: xmlrpc / wp-login floods, pingbacks, exploit probes",
       [](const Config& c) { return c.access_log.enabled; }, &MakeAccessLogCollector,
       &SameButLogs<&Config::access_log>,
       [](Collector& c, const Config& next) {
         static_cast<AccessLogCollector&>(c).SetLogs(next.access_log.logs);
       }},
      {"mail_log", "mail logs: rejects, RBL hits, spam-filter pass-through, snowshoe indicators",
       [](const Config& c) { return c.mail_log.enabled; }, &MakeMailLogCollector,
       &SameButLogs<&Config::mail_log>,
       [](Collector& c, const Config& next) {
         static_cast<MailLogCollector&>(c).SetLogs(next.mail_log.logs);
       }},
  };
  return kAll;
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
    if (running != nullptr && r.carries_over != nullptr &&
        r.carries_over(running->config, base.config)) {
      if (auto collector = running->set.Find(r.name)) {
        std::function<void()> reconfigure;
        if (r.reconfigure != nullptr) {
          reconfigure = [&r, c = collector.get(), &next = base.config] { r.reconfigure(*c, next); };
        }
        out.push_back({std::string(r.name), std::move(collector), true, std::move(reconfigure)});
        continue;
      }
    }
    CollectorContext context = base;
    context.logger = base.logger.With("collector", r.name);
    out.push_back({std::string(r.name), std::shared_ptr<Collector>(r.make(context))});
  }
  return out;
}

}  // namespace edgewatch
