#include "collectors/httpd_collector.h"

#include <charconv>
#include <filesystem>
#include <map>
#include <set>

#include "core/base64.h"
#include "io/proc_files.h"
#include "parsers/proc/proc_stat.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kHttpdUp{"edgewatch_httpd_up", prometheus::MetricType::Gauge,
                              "1 if the server's status page was fetched and parsed."};
constexpr MetricDesc kHttpdInfo{"edgewatch_httpd_info", prometheus::MetricType::Gauge,
                                "Server version and MPM (nginx for stub_status)."};
constexpr MetricDesc kHttpdScoreboard{"edgewatch_httpd_scoreboard", prometheus::MetricType::Gauge,
                                      "Scoreboard slots by state."};
constexpr MetricDesc kHttpdProcesses{"edgewatch_httpd_processes", prometheus::MetricType::Gauge,
                                     "Running processes whose name starts with `name`."};
constexpr MetricDesc kHttpdProcessCpuSecondsTotal{
    "edgewatch_httpd_process_cpu_seconds_total", prometheus::MetricType::Counter,
    "CPU time of those processes and of their exited children."};
constexpr MetricDesc kHttpdWorkers{"edgewatch_httpd_workers", prometheus::MetricType::Gauge,
                                   "Workers by state (BusyWorkers, IdleWorkers, GracefulWorkers)."};
constexpr MetricDesc kHttpdWorkerSlots{
    "edgewatch_httpd_worker_slots", prometheus::MetricType::Gauge,
    "Worker capacity: max_request_workers when configured, else the started worker slots that "
    "can take work (scoreboard slots neither open nor gracefully finishing)."};
constexpr MetricDesc kHttpdStatusProcesses{
    "edgewatch_httpd_status_processes", prometheus::MetricType::Gauge,
    "Child processes as the status page counts them (Processes, Stopping): active ones take "
    "work, stopping ones finish their requests after a graceful restart."};
constexpr MetricDesc kHttpdAccessesTotal{"edgewatch_httpd_accesses_total",
                                         prometheus::MetricType::Counter,
                                         "Requests served (Total Accesses)."};
constexpr MetricDesc kHttpdSentBytesTotal{"edgewatch_httpd_sent_bytes_total",
                                          prometheus::MetricType::Counter,
                                          "Bytes sent (Total kBytes x 1024)."};
constexpr MetricDesc kHttpdRequestDurationSecondsTotal{
    "edgewatch_httpd_request_duration_seconds_total", prometheus::MetricType::Counter,
    "Time spent serving requests (Total Duration)."};
constexpr MetricDesc kHttpdCpuSecondsTotal{"edgewatch_httpd_cpu_seconds_total",
                                           prometheus::MetricType::Counter,
                                           "CPU time of the server by mode."};
constexpr MetricDesc kHttpdUptimeSeconds{"edgewatch_httpd_uptime_seconds",
                                         prometheus::MetricType::Gauge,
                                         "Time since the server (re)started."};
constexpr MetricDesc kHttpdConnections{"edgewatch_httpd_connections", prometheus::MetricType::Gauge,
                                       "Connections by state."};
constexpr MetricDesc kHttpdConnectionsAcceptedTotal{"edgewatch_httpd_connections_accepted_total",
                                                    prometheus::MetricType::Counter,
                                                    "Accepted connections (nginx)."};
constexpr MetricDesc kHttpdConnectionsHandledTotal{"edgewatch_httpd_connections_handled_total",
                                                   prometheus::MetricType::Counter,
                                                   "Handled connections (nginx)."};
constexpr MetricDesc kHttpdLoad{"edgewatch_httpd_load", prometheus::MetricType::Gauge,
                                "The server host's load average as the server reports it."};
constexpr MetricDesc kHttpdStatusFailuresTotal{
    "edgewatch_httpd_status_failures_total", prometheus::MetricType::Counter,
    "Status page fetches that failed, by reason: timeout (an exhausted server answers too late "
    "or never), connect, http (not 200), invalid (not a status page), other."};
constexpr MetricDesc kHttpdServerChildProcesses{
    "edgewatch_httpd_server_child_processes", prometheus::MetricType::Gauge,
    "Child processes of the server's parent process (pid_file) with its command name."};
constexpr MetricDesc kHttpdServerCpuSecondsTotal{
    "edgewatch_httpd_server_cpu_seconds_total", prometheus::MetricType::Counter,
    "CPU time of the server's parent process (pid_file), its children and their exited "
    "children."};
constexpr MetricDesc kHttpdServerChildProcessLimit{
    "edgewatch_httpd_server_child_process_limit", prometheus::MetricType::Gauge,
    "Child processes the server runs when every worker is busy, from its last good status page "
    "(worker capacity over workers per child)."};
constexpr MetricDesc kHostLoad{"edgewatch_host_load", prometheus::MetricType::Gauge,
                               "The load average of the host edgewatch runs on (/proc/loadavg)."};
// The reasons, in the order of HttpdCollector's counters.
constexpr const char* kFailureReasons[] = {"timeout", "connect", "http", "invalid", "other"};
constexpr std::size_t kTimeout = 0, kConnect = 1, kHttp = 2, kInvalid = 3, kOther = 4;
constexpr const MetricDesc* kMetrics[] = {&kHttpdUp,
                                          &kHttpdStatusFailuresTotal,
                                          &kHttpdInfo,
                                          &kHttpdScoreboard,
                                          &kHttpdProcesses,
                                          &kHttpdProcessCpuSecondsTotal,
                                          &kHttpdWorkers,
                                          &kHttpdWorkerSlots,
                                          &kHttpdStatusProcesses,
                                          &kHttpdAccessesTotal,
                                          &kHttpdSentBytesTotal,
                                          &kHttpdRequestDurationSecondsTotal,
                                          &kHttpdCpuSecondsTotal,
                                          &kHttpdUptimeSeconds,
                                          &kHttpdConnections,
                                          &kHttpdConnectionsAcceptedTotal,
                                          &kHttpdConnectionsHandledTotal,
                                          &kHttpdLoad,
                                          &kHttpdServerChildProcesses,
                                          &kHttpdServerCpuSecondsTotal,
                                          &kHttpdServerChildProcessLimit,
                                          &kHostLoad};

}  // namespace
namespace {

using mod_status::Flavour;

constexpr std::size_t kMaxBodyBytes = 1 << 20;

std::string HostHeader(const Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != (url.scheme == "https" ? 443 : 80)) {
    host += ":" + std::to_string(url.port);
  }
  return host;
}

std::string StatusHint(unsigned status) {
  switch (status) {
    case 401:
      return ": check basic_auth";
    case 403:
      return ": allow this host in <Location /server-status> (Require ip ...)";
    case 404:
      return ": is mod_status (or stub_status) enabled at this URL?";
    default:
      return "";
  }
}

// A sample for what the status page gave; nothing for what it did not.
void AddIf(MetricSink& sink, const MetricDesc& desc, const Labels& labels,
           const std::optional<double>& v, double scale = 1) {
  if (v) {
    sink.Add(desc, labels, *v * scale);
  }
}

// A server's parent process, from its pid file; pid 0 when the file or process is missing.
// Children are counted in ExportProcesses' scan of /proc.
struct ServerParent {
  std::uint64_t pid = 0;
  std::string comm;
  double children = 0;
  double ticks = 0;
};

ServerParent ReadServerParent(const std::string& procfs_root, const std::string& pid_file) {
  const auto pid_text = io::ReadSmallFile(pid_file, 64);
  const auto pid = pid_text ? proc::ParsePidFile(*pid_text) : std::nullopt;
  if (!pid) {
    return {};
  }
  const auto text = io::ReadSmallFile(procfs_root + "/" + std::to_string(*pid) + "/stat", 4096);
  const auto stat = text ? proc::ParseProcessStat(*text) : std::nullopt;
  if (!stat) {
    return {};
  }
  return {*pid, std::string(stat->comm), 0,
          static_cast<double>(stat->utime_ticks + stat->stime_ticks + stat->cutime_ticks +
                              stat->cstime_ticks)};
}

}  // namespace

HttpdCollector::HttpdCollector(const HttpdConfig& config, std::string procfs_root,
                               const Clock& clock, Logger logger)
    : config_(config),
      procfs_root_(std::move(procfs_root)),
      logger_(std::move(logger)),
      client_(clock),
      last_errors_(config.servers.size()),
      failures_(config.servers.size()),
      child_limits_(config.servers.size()),
      ticks_per_second_(static_cast<double>(io::ClockTicksPerSecond())) {}

Status HttpdCollector::Start() {
  for (const auto& s : config_.servers) {
    io::HttpGet get;
    get.tls = s.url.scheme == "https";
    get.host = s.url.host;
    get.port = s.url.port;
    get.target = s.url.target;
    get.host_header = s.host.empty() ? HostHeader(s.url) : s.host;
    get.timeout = s.timeout;
    get.max_body_bytes = kMaxBodyBytes;
    get.keep_alive = false;  // until a page says which MPM the server runs
    if (!s.username.empty()) {
      std::string password = s.password;
      if (!s.password_file.empty()) {
        auto text = io::ReadSmallFile(s.password_file, 4096);
        if (!text) {
          return Error{"httpd server " + s.name + ": password_file " + text.error().message};
        }
        password = text->substr(0, text->find_first_of("\r\n"));
      }
      get.authorization = "Basic " + Base64Encode(s.username + ":" + password);
    }
    if (get.tls) {
      auto ctx = io::MakeClientTlsContext(s.ca_file, s.insecure_skip_verify);
      if (!ctx) {
        return Error{"httpd server " + s.name + ": ca_file " + ctx.error().message};
      }
      get.tls_context = std::move(*ctx);
      get.verify_host = !s.insecure_skip_verify;
    }
    requests_.push_back(std::move(get));
  }
  return {};
}

Status HttpdCollector::Replay(const std::string& path) {
  auto text = io::ReadSmallFile(path, kMaxBodyBytes);
  if (!text) {
    return text.error();
  }
  auto parsed = mod_status::Parse(*text);
  if (!parsed) {
    return Error{path + ": " + parsed.error().message};
  }
  replayed_.emplace_back(std::filesystem::path(path).filename().string(), *parsed);
  return {};
}

Status HttpdCollector::Collect(MetricSink& sink) const {
  const auto replies = [&] {
    std::lock_guard<std::mutex> lock(client_mu_);
    return client_.FetchAll(requests_);
  }();
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const auto& server = config_.servers[i];
    std::string error;
    std::size_t reason = kOther;
    std::optional<mod_status::Status> status;
    if (!replies[i]) {
      error = replies[i].error().message;
      // io::HttpClient's messages: "timeout after ...", "connecting: ...", "resolving h: ...".
      reason = error.starts_with("timeout after ")                                    ? kTimeout
               : error.starts_with("connecting: ") || error.starts_with("resolving ") ? kConnect
                                                                                      : kOther;
    } else if (replies[i]->status != 200) {
      error = "HTTP " + std::to_string(replies[i]->status) + " " + replies[i]->reason +
              StatusHint(replies[i]->status);
      reason = kHttp;
    } else {
      auto parsed = mod_status::Parse(replies[i]->body);
      reason = kInvalid;
      if (!parsed) {
        error = parsed.error().message;
      } else if ((server.flavour == "apache" && parsed->flavour != Flavour::kApache) ||
                 (server.flavour == "nginx" && parsed->flavour != Flavour::kNginx)) {
        error = "expected a " + server.flavour + " status page, got another kind";
      } else {
        status = std::move(*parsed);
      }
    }
    {
      // A kept connection costs a threaded Apache or nginx nothing while idle, but holds a
      // whole prefork child (it waits in 'K' for the next request, KeepAliveTimeout long):
      // kept only once a page said the server is not prefork.
      std::lock_guard<std::mutex> lock(client_mu_);
      if (status) {
        requests_[i].keep_alive =
            status->flavour == Flavour::kNginx || status->mpm == "event" || status->mpm == "worker";
      }
    }
    {
      // One log line per change of a server's state, not one per scrape.
      std::lock_guard<std::mutex> lock(errors_mu_);
      if (!status) {
        ++failures_[i][reason];
      } else {
        child_limits_[i] = mod_status::ChildProcessLimit(*status, server.max_request_workers);
      }
      AddIf(sink, kHttpdServerChildProcessLimit, {{"server", server.name}}, child_limits_[i]);
      for (std::size_t r = 0; r < std::size(kFailureReasons); ++r) {
        sink.Add(kHttpdStatusFailuresTotal,
                 {{"server", server.name}, {"reason", kFailureReasons[r]}},
                 static_cast<double>(failures_[i][r]));
      }
      if (error != last_errors_[i]) {
        if (error.empty()) {
          logger_.Info("status page reachable again", {{"server", server.name}});
        } else {
          logger_.Warn("status page failed", {{"server", server.name},
                                              {"url", server.url.host + server.url.target},
                                              {"err", error}});
        }
        last_errors_[i] = error;
      }
    }
    sink.Add(kHttpdUp, {{"server", server.name}}, status ? 1 : 0);
    if (status) {
      Export(sink, server.name, server.max_request_workers, *status);
    }
  }
  for (const auto& [name, status] : replayed_) {
    sink.Add(kHttpdUp, {{"server", name}}, 1);
    Export(sink, name, 0, status);
  }
  ExportProcesses(sink);
  return {};
}

void HttpdCollector::Export(MetricSink& sink, const std::string& server,
                            std::uint64_t max_request_workers, const mod_status::Status& s) const {
  const Labels id = {{"server", server}};
  const bool nginx = s.flavour == Flavour::kNginx;
  sink.Add(kHttpdInfo,
           {{"server", server},
            {"version", s.version.empty() ? "unknown" : s.version},
            {"mpm", nginx ? "nginx" : (s.mpm.empty() ? "unknown" : s.mpm)}},
           1);
  AddIf(sink, kHttpdWorkers, {{"server", server}, {"state", "busy"}}, s.busy_workers);
  AddIf(sink, kHttpdWorkers, {{"server", server}, {"state", "idle"}}, s.idle_workers);
  if (s.scoreboard) {
    for (int i = 0; i < mod_status::kScoreboardStates; ++i) {
      sink.Add(kHttpdScoreboard, {{"server", server}, {"state", mod_status::kScoreboardNames[i]}},
               (*s.scoreboard)[i]);
    }
  }
  AddIf(sink, kHttpdWorkers, {{"server", server}, {"state", "graceful"}}, s.graceful_workers);
  AddIf(sink, kHttpdWorkerSlots, id, mod_status::WorkerSlots(s, max_request_workers));
  if (s.processes) {
    const double stopping = s.stopping.value_or(0);
    sink.Add(kHttpdStatusProcesses, {{"server", server}, {"state", "active"}},
             *s.processes - stopping);
    sink.Add(kHttpdStatusProcesses, {{"server", server}, {"state", "stopping"}}, stopping);
  }
  AddIf(sink, kHttpdAccessesTotal, id, s.total_accesses);
  AddIf(sink, kHttpdSentBytesTotal, id, s.total_kbytes, 1024);
  AddIf(sink, kHttpdRequestDurationSecondsTotal, id, s.total_duration_ms, 0.001);
  for (const auto& [mode, value] :
       {std::pair{"user", &s.cpu_user}, std::pair{"system", &s.cpu_system},
        std::pair{"children_user", &s.cpu_children_user},
        std::pair{"children_system", &s.cpu_children_system}}) {
    AddIf(sink, kHttpdCpuSecondsTotal, {{"server", server}, {"mode", mode}}, *value);
  }
  AddIf(sink, kHttpdUptimeSeconds, id, s.uptime_seconds);
  for (const auto& [state, value] :
       {std::pair{"total", &s.conns_total}, std::pair{"async_writing", &s.conns_async_writing},
        std::pair{"async_keep_alive", &s.conns_async_keep_alive},
        std::pair{"async_closing", &s.conns_async_closing},
        std::pair{"async_wait_io", &s.conns_async_wait_io}, std::pair{"active", &s.active},
        std::pair{"reading", &s.reading}, std::pair{"writing", &s.writing},
        std::pair{"waiting", &s.waiting}}) {
    AddIf(sink, kHttpdConnections, {{"server", server}, {"state", state}}, *value);
  }
  AddIf(sink, kHttpdConnectionsAcceptedTotal, id, s.accepts);
  AddIf(sink, kHttpdConnectionsHandledTotal, id, s.handled);
  for (const auto& [window, value] :
       {std::pair{"1m", &s.load1}, std::pair{"5m", &s.load5}, std::pair{"15m", &s.load15}}) {
    AddIf(sink, kHttpdLoad, {{"server", server}, {"window", window}}, *value);
  }
}

void HttpdCollector::ExportProcesses(MetricSink& sink) const {
  struct Proc {
    std::uint64_t ppid;
    double own_ticks;
    double children_ticks;
    std::size_t name;
  };
  std::vector<ServerParent> parents(config_.servers.size());
  for (std::size_t s = 0; s < parents.size(); ++s) {
    if (!config_.servers[s].pid_file.empty()) {
      parents[s] = ReadServerParent(procfs_root_, config_.servers[s].pid_file);
    }
  }
  std::map<std::uint64_t, Proc> found;
  if (auto pids = io::ListDirectory(procfs_root_)) {
    for (const auto& entry : *pids) {
      std::uint64_t pid = 0;
      const auto [end, ec] = std::from_chars(entry.data(), entry.data() + entry.size(), pid);
      if (ec != std::errc() || end != entry.data() + entry.size()) {
        continue;
      }
      auto text = io::ReadSmallFile(procfs_root_ + "/" + entry + "/stat", 4096);
      if (!text) {
        continue;  // exited meanwhile
      }
      const auto stat = proc::ParseProcessStat(*text);
      if (!stat) {
        continue;
      }
      for (auto& parent : parents) {
        if (parent.pid != 0 && stat->ppid == parent.pid && stat->comm == parent.comm) {
          parent.children += 1;
          parent.ticks += static_cast<double>(stat->utime_ticks + stat->stime_ticks);
        }
      }
      for (std::size_t n = 0; n < config_.processes.size(); ++n) {
        if (stat->comm.starts_with(config_.processes[n])) {
          found[pid] = {stat->ppid, static_cast<double>(stat->utime_ticks + stat->stime_ticks),
                        static_cast<double>(stat->cutime_ticks + stat->cstime_ticks), n};
          break;
        }
      }
    }
  }
  for (std::size_t s = 0; s < parents.size(); ++s) {
    if (parents[s].pid != 0) {
      const Labels id = {{"server", config_.servers[s].name}};
      sink.Add(kHttpdServerChildProcesses, id, parents[s].children);
      sink.Add(kHttpdServerCpuSecondsTotal, id, parents[s].ticks / ticks_per_second_);
    }
  }
  std::vector<double> count(config_.processes.size(), 0);
  std::vector<double> ticks(config_.processes.size(), 0);
  for (const auto& [pid, p] : found) {
    count[p.name] += 1;
    ticks[p.name] += p.own_ticks;
    // Exited workers' time is in their parent's children time once reaped; count it at the
    // top of each tree of matching processes so the total only grows as workers come and go.
    const auto parent = found.find(p.ppid);
    if (parent == found.end() || parent->second.name != p.name) {
      ticks[p.name] += p.children_ticks;
    }
  }
  for (std::size_t n = 0; n < config_.processes.size(); ++n) {
    const Labels labels = {{"name", config_.processes[n]}};
    sink.Add(kHttpdProcesses, labels, count[n]);
    sink.Add(kHttpdProcessCpuSecondsTotal, labels, ticks[n] / ticks_per_second_);
  }
  if (auto text = io::ReadSmallFile(procfs_root_ + "/loadavg", 256)) {
    if (const auto load = proc::ParseLoadAverage(*text)) {
      for (std::size_t w = 0; w < load->size(); ++w) {
        sink.Add(kHostLoad, {{"window", std::array{"1m", "5m", "15m"}[w]}}, (*load)[w]);
      }
    }
  }
}

// Always built anew: it keeps no state worth keeping, and reads password and CA files at start.
const CollectorRegistration kHttpdCollector = {
    "httpd",
    "web server worker load: mod_status / stub_status pages and /proc processes",
    [](const Config& c) { return c.Section<HttpdConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<HttpdCollector>(context.config.Section<HttpdConfig>(),
                                              context.procfs_root, context.clock, context.logger);
    },
    nullptr,
    {"--mod-status", "a saved server-status?auto page", "server"},
    kMetrics,
    &kHttpdSection,
};

}  // namespace edgewatch
