#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/basic_auth.h"
#include "app/commands.h"
#include "app/exporter.h"
#include "app/http_server.h"
#include "app/web_config.h"
#include "app/web_routes.h"
#include "core/version.h"
#include "io/content_watch.h"
#include "io/systemd_sockets.h"

namespace edgewatch {
namespace {

// Enough that a slow scrape never holds up /-/healthy or a second scraper.
constexpr unsigned kIoThreads = 4;
// How often the web config and its certificates are looked at for a change.
constexpr std::chrono::seconds kWatchTick{1};

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

  auto auth = std::make_shared<const BasicAuthenticator>(web.basic_auth_users);
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
                              {"basic_auth", auth->enabled() ? "true" : "false"},
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

  // A changed web config (or certificate, key, client CA) is taken for new connections, as
  // exporter-toolkit re-reads it; one that cannot be used is logged and the running one stays.
  // The timer and SIGHUP may run at once on two I/O threads.
  std::mutex web_mu;
  io::ContentWatch web_files(options.web_config_file ? WebConfigFiles(*options.web_config_file, web)
                                                     : std::vector<std::string>{});
  const auto reload_web = [&] {
    auto loaded = LoadWebConfig(*options.web_config_file);
    std::shared_ptr<boost::asio::ssl::context> next_tls;
    if (loaded && loaded->tls) {
      auto ctx = MakeTlsContext(*loaded->tls);
      if (ctx) {
        next_tls = std::move(*ctx);
      } else {
        loaded = ctx.error();
      }
    }
    if (!loaded) {
      logger.Error("web config changed and cannot be used; the running one stays",
                   {{"file", *options.web_config_file}, {"err", loaded.error().message}});
      return;
    }
    server.SetTls(next_tls);
    routes.SetAuthenticator(std::make_shared<const BasicAuthenticator>(loaded->basic_auth_users));
    web_files = io::ContentWatch(WebConfigFiles(*options.web_config_file, *loaded));
    logger.Info("web config reloaded",
                {{"file", *options.web_config_file},
                 {"tls", next_tls ? "true" : "false"},
                 {"basic_auth", loaded->basic_auth_users.empty() ? "false" : "true"}});
  };
  // --config.auto-reload-interval: the config file's content, looked at that often.
  const auto auto_reload = options.config_auto_reload_interval;
  io::ContentWatch config_files(options.config_file && auto_reload.count() > 0
                                    ? std::vector<std::string>{*options.config_file}
                                    : std::vector<std::string>{});
  auto last_config_look = clock.Monotonic();
  boost::asio::steady_timer watch_timer(io);
  std::function<void(const boost::system::error_code&)> on_watch =
      [&](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        if (options.web_config_file) {
          std::lock_guard<std::mutex> lock(web_mu);
          if (web_files.Changed()) {
            reload_web();
          }
        }
        if (auto_reload.count() > 0 && clock.Monotonic() - last_config_look >= auto_reload) {
          last_config_look = clock.Monotonic();
          if (config_files.Changed()) {
            logger.Info("config file changed, reloading", {{"file", *options.config_file}});
            (void)exporter.Reload();
          }
        }
        watch_timer.expires_after(kWatchTick);
        watch_timer.async_wait(on_watch);
      };
  if (options.web_config_file || (options.config_file && auto_reload.count() > 0)) {
    watch_timer.expires_after(kWatchTick);
    watch_timer.async_wait(on_watch);
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) {
          return;
        }
        if (signal == SIGHUP) {
          logger.Info("SIGHUP received, reloading");
          (void)exporter.Reload();
          if (options.web_config_file) {
            std::lock_guard<std::mutex> lock(web_mu);
            web_files.Changed();  // what is read now is the baseline of the next look
            reload_web();
          }
          signals.async_wait(on_signal);
          return;
        }
        logger.Info("shutting down", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
        server.Close();
        watch_timer.cancel();
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
