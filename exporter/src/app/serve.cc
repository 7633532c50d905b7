#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <sstream>
#include <thread>

#include "app/basic_auth.h"
#include "app/commands.h"
#include "app/exporter.h"
#include "app/http_server.h"
#include "app/web_config.h"
#include "app/web_routes.h"
#include "core/version.h"
#include "io/systemd_sockets.h"

namespace edgewatch {
namespace {

// Enough that a slow scrape never holds up /-/healthy or a second scraper.
constexpr unsigned kIoThreads = 4;

std::string ToString(const boost::asio::ip::tcp::endpoint& endpoint) {
  std::ostringstream s;
  s << endpoint;
  return s.str();
}

void PrintLines(std::ostream& err, const std::string& what, const Error& error) {
  err << "edgewatch: " << what << ":\n" << error.message << "\n";
}

// The soft limit on open files up to the hard one, as Go exporters do: every followed log file
// holds a descriptor, and 1024 is soon reached with a glob over many virtual hosts' logs.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int RunServe(const CliOptions& options, std::span<const CollectorRegistration> registry,
             std::ostream& err) {
  SystemClock clock;
  Logger logger(err, options.log_level, options.log_format, clock);

  WebConfig web;
  if (options.web_config_file) {
    auto loaded = LoadWebConfig(*options.web_config_file);
    if (!loaded) {
      PrintLines(err, "invalid web config", loaded.error());
      return kExitUsage;
    }
    web = std::move(*loaded);
  }
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (web.tls) {
    auto ctx = MakeTlsContext(*web.tls);
    if (!ctx) {
      PrintLines(err, "invalid web config", ctx.error());
      return kExitUsage;
    }
    tls = std::move(*ctx);
  }

  RaiseOpenFileLimit();
  Exporter exporter({options.config_file, options.collector_overrides, options.procfs_root},
                    registry, clock, logger);
  if (Status s = exporter.Start(); !s) {
    PrintLines(err, "cannot start", s.error());
    return kExitUsage;
  }

  BasicAuthenticator auth(web.basic_auth_users);
  HttpServerStats server_stats;
  WebRoutes routes(exporter, auth,
                   {options.telemetry_path, options.enable_lifecycle, options.max_requests,
                    options.exporter_metrics},
                   clock, server_stats);
  boost::asio::io_context io;
  HttpServerLimits limits;
  limits.max_connections = options.max_connections;
  HttpServer server(io, routes.Handler(), tls, limits, clock, logger, server_stats);
  std::vector<Expected<boost::asio::ip::tcp::endpoint>> bound;
  if (options.systemd_socket) {
    auto sockets = io::TakeSystemdSockets();
    if (!sockets) {
      logger.Error("cannot listen", {{"err", sockets.error().message}});
      exporter.Stop();
      return kExitUsage;
    }
    for (const auto& s : *sockets) {
      bound.push_back(server.Adopt(s.fd, s.v6));
    }
  } else {
    std::vector<std::string> addresses = options.listen_addresses;
    if (addresses.empty()) {
      addresses.emplace_back(kDefaultListenAddress);
    }
    for (const auto& text : addresses) {
      bound.push_back(server.Listen(ParseListenAddress(text).value()));
    }
  }
  for (const auto& b : bound) {
    if (!b) {
      logger.Error("cannot listen", {{"err", b.error().message}});
      exporter.Stop();
      return kExitRuntime;
    }
    logger.Info("listening", {{"address", ToString(*b)},
                              {"tls", tls ? "true" : "false"},
                              {"basic_auth", auth.enabled() ? "true" : "false"},
                              {"systemd_socket", options.systemd_socket ? "true" : "false"}});
  }
  std::string collectors;
  for (const auto& name : exporter.EnabledCollectors()) {
    collectors += collectors.empty() ? name : "," + name;
  }
  logger.Info("edgewatch started",
              {{"version", kVersion},
               {"config", options.config_file.value_or(kEmbeddedDefaultSource)},
               {"collectors", collectors}});

  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) {
          return;
        }
        if (signal == SIGHUP) {
          logger.Info("SIGHUP received, reloading");
          (void)exporter.Reload();
          signals.async_wait(on_signal);
          return;
        }
        logger.Info("shutting down", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
        server.Close();
        io.stop();
      };
  signals.async_wait(on_signal);

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < kIoThreads; ++i) {
    threads.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& t : threads) {
    t.join();
  }
  routes.Stop();  // before io goes: its work posts answers there
  exporter.Stop();
  logger.Info("stopped");
  return kExitOk;
}

}  // namespace edgewatch
