#include "app/commands.h"

#include "app/http_server.h"
#include "app/web_config.h"
#include "config/config.h"
#include "core/version.h"

namespace edgewatch {

int RunCheckConfig(const CliOptions& options, std::span<const CollectorRegistration> registry,
                   std::ostream& out, std::ostream& err) {
  auto config = LoadConfig(options.config_file, ConfigSectionsOf(registry));
  int rc = kExitOk;
  if (!config) {
    err << config.error().message << "\n";
    rc = kExitUsage;
  }
  if (options.web_config_file) {
    auto web = LoadWebConfig(*options.web_config_file);
    if (!web) {
      err << web.error().message << "\n";
      rc = kExitUsage;
    } else if (web->tls) {
      // What start-up would do: a certificate or key that does not load fails here too.
      if (auto tls = MakeTlsContext(*web->tls); !tls) {
        err << *options.web_config_file << ": " << tls.error().message << "\n";
        rc = kExitUsage;
      }
    }
  }
  if (rc != kExitOk) {
    return rc;
  }
  std::string enabled;
  for (const auto& r : registry) {
    if (IsEnabled(r, options.collector_overrides, *config)) {
      enabled += enabled.empty() ? "" : ", ";
      enabled += r.name;
    }
  }
  out << config->source << ": OK; enabled collectors: " << (enabled.empty() ? "none" : enabled)
      << "\n";
  return kExitOk;
}

int RunMain(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  const auto registry = AllCollectors();
  auto options = ParseCli(args, registry);
  if (!options) {
    err << "edgewatch: " << options.error().message << "; see --help\n";
    return kExitUsage;
  }
  switch (options->command) {
    case Command::kHelp:
      out << HelpText(registry);
      return kExitOk;
    case Command::kHelpMan:
      out << ManPage(registry, kVersion);
      return kExitOk;
    case Command::kVersion:
      out << "edgewatch " << kVersion << " (revision " << kRevision << ")\n";
      return kExitOk;
    case Command::kCheckConfig:
      return RunCheckConfig(*options, registry, out, err);
    case Command::kReplay:
      return RunReplay(*options, registry, out, err);
    case Command::kServe:
      return RunServe(*options, registry, err);
  }
  return kExitUsage;
}

}  // namespace edgewatch
