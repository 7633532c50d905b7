#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include "app/cli.h"
#include "collectors/registry.h"

namespace edgewatch {

// Exit codes: 0 success, 1 a run-time failure (cannot listen), 2 bad flags or configuration.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

// Parses the command line and runs the command it names.
int RunMain(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

// Serves /metrics until SIGTERM or SIGINT; SIGHUP reloads.
int RunServe(const CliOptions& options, std::span<const CollectorRegistration> registry,
             std::ostream& err);
// Validates the config (and the web config, when given).
int RunCheckConfig(const CliOptions& options, std::span<const CollectorRegistration> registry,
                   std::ostream& out, std::ostream& err);
// Feeds the replay inputs to the collectors that read them and prints their exposition.
int RunReplay(const CliOptions& options, std::span<const CollectorRegistration> registry,
              std::ostream& out, std::ostream& err);

}  // namespace edgewatch
