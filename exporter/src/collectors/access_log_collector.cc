#include "collectors/access_log_collector.h"

#include <filesystem>

#include "collectors/log_health.h"
#include "io/change_trigger.h"

namespace edgewatch {

struct AccessLogCollector::Log {
  Log(std::string n, std::optional<access_log::Format> f, const AccessLogSettings& settings,
      bool logged_time)
      : name(std::move(n)), format(std::move(f)), stats(settings), use_logged_time(logged_time) {}

  std::string name;
  std::optional<access_log::Format> format;  // none: detected per line
  access_log::AutoFormat detect;
  AccessLogStats stats;
  bool use_logged_time;      // replay: the top-client window runs on %t
  std::int64_t last_ns = 0;  // the logged time of the latest xmlrpc / wp-login request (replay)
};

struct AccessLogCollector::Source {
  std::unique_ptr<io::FileFollower> follower;
  std::size_t first_log = 0;  // the follower's log i is logs_[first_log + i]
};

// Parses each line into its log's counters.
class AccessLogCollector::Lines final : public io::LineSink {
 public:
  Lines(AccessLogCollector& c, std::size_t first_log) : c_(c), first_(first_log) {}

  void Line(std::size_t index, std::string_view line) override {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      return;  // nothing to count, nothing malformed
    }
    Log& log = *c_.logs_[first_ + index];
    access_log::Request r;
    if (!(log.format ? log.format->Parse(line, r) : log.detect.Parse(line, r))) {
      log.stats.AddParseError();
      return;
    }
    if (!log.stats.Add(r)) {
      return;
    }
    if (log.use_logged_time) {
      if (const auto t = access_log::ParseTime(r.time)) {
        log.last_ns = *t * 1'000'000'000;
      }
      log.stats.AddTopClient(r.client, log.last_ns);
    } else {
      log.stats.AddTopClient(r.client, c_.clock_.Monotonic().time_since_epoch().count());
    }
  }

 private:
  AccessLogCollector& c_;
  std::size_t first_;
};

AccessLogCollector::AccessLogCollector(const AccessLogConfig& config, const Clock& clock,
                                       Logger logger, std::unique_ptr<Trigger> trigger)
    : config_(config), clock_(clock), logger_(std::move(logger)), trigger_(std::move(trigger)) {
  settings_.xmlrpc_paths = config_.xmlrpc_paths;
  settings_.wp_login_paths = config_.wp_login_paths;
  settings_.top_k = config_.top_k;
  settings_.window_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config_.top_window).count();
}

AccessLogCollector::~AccessLogCollector() { Stop(); }

namespace {

io::FollowerOptions Options(const FollowConfig& c, bool from_start) {
  io::FollowerOptions o;
  o.max_line = c.max_line_length;
  o.rotate_wait = c.rotate_wait;
  o.from_start = from_start;
  return o;
}

}  // namespace

Status AccessLogCollector::Start() {
  std::vector<io::FollowedLog> followed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto source = std::make_unique<Source>();
    source->first_log = logs_.size();
    for (const auto& l : config_.logs) {
      std::optional<access_log::Format> format;
      if (!l.format.empty()) {
        std::string error;
        format = access_log::Format::Compile(l.format, &error);  // validated with the config
      }
      logs_.push_back(std::make_unique<Log>(l.name, std::move(format), settings_, false));
      followed.push_back({l.name, l.path});
    }
    source->follower = std::make_unique<io::FileFollower>(followed, Options(config_.follow, false),
                                                          clock_, logger_);
    if (!trigger_) {
      trigger_ = std::make_unique<io::ChangeTrigger>(source->follower->Directories(),
                                                     config_.follow.poll_interval);
    }
    sources_.insert(sources_.begin(), std::move(source));
  }
  thread_ = std::thread([this] { FollowLoop(); });
  return {};
}

void AccessLogCollector::FollowLoop() {
  while (!stopping_) {
    bool more;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Lines lines(*this, sources_[0]->first_log);
      more = sources_[0]->follower->Poll(lines);
    }
    if (!more && !trigger_->Wait()) {
      break;
    }
  }
}

void AccessLogCollector::Stop() {
  stopping_ = true;
  if (trigger_) {
    trigger_->Stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status AccessLogCollector::Replay(InputKind /*kind*/, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!std::filesystem::is_regular_file(path)) {
    return Error{"cannot read " + path + ": not a regular file"};
  }
  auto source = std::make_unique<Source>();
  source->first_log = logs_.size();
  const std::string name = std::filesystem::path(path).filename().string();
  logs_.push_back(std::make_unique<Log>(name, std::nullopt, settings_, true));
  source->follower = std::make_unique<io::FileFollower>(
      std::vector<io::FollowedLog>{{name, path}}, Options(config_.follow, true), clock_, logger_);
  Lines lines(*this, source->first_log);
  while (source->follower->Poll(lines)) {
  }
  source->follower->Flush(lines);
  sources_.push_back(std::move(source));
  return {};
}

namespace {

void ExportByMethodCode(MetricSink& sink, std::string_view name, std::string_view help,
                        const std::string& log, const AccessLogStats::ByMethodCode& counts) {
  for (int m = 0; m < access_log::kMethodCount; ++m) {
    for (int code = 0; code < AccessLogStats::kCodes; ++code) {
      if (const auto n = counts[static_cast<std::size_t>(m)][static_cast<std::size_t>(code)]) {
        sink.Counter(name, help,
                     {{"log", log},
                      {"method", access_log::MethodName(static_cast<access_log::Method>(m))},
                      {"code", std::to_string(code + 100)}},
                     static_cast<double>(n));
      }
    }
  }
}

}  // namespace

Status AccessLogCollector::Collect(MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& source : sources_) {
    for (std::size_t i = 0; i < source->follower->size(); ++i) {
      ExportLogHealth(sink, logs_[source->first_log + i]->name, source->follower->Health(i));
    }
  }
  const std::int64_t now_ns = clock_.Monotonic().time_since_epoch().count();
  for (const auto& log : logs_) {
    const auto& s = log->stats;
    const Labels labels = {{"log", log->name}};
    ExportByMethodCode(sink, "edgewatch_http_requests_total",
                       "Requests in the access log, by method (a fixed set, else OTHER) and code.",
                       log->name, s.requests());
    sink.Counter("edgewatch_http_response_bytes_total", "Response bytes logged (%b / %O).", labels,
                 static_cast<double>(s.response_bytes()));
    sink.Counter("edgewatch_accesslog_parse_errors_total",
                 "Non-empty lines that did not parse in the log's format.", labels,
                 static_cast<double>(s.parse_errors()));
    ExportByMethodCode(sink, "edgewatch_xmlrpc_requests_total",
                       "Requests for the xmlrpc paths (default /xmlrpc.php).", log->name,
                       s.xmlrpc());
    ExportByMethodCode(sink, "edgewatch_wp_login_requests_total",
                       "Requests for the wp-login paths (default /wp-login.php).", log->name,
                       s.wp_login());
    sink.Counter("edgewatch_http_pingback_requests_total",
                 "Requests from WordPress pingback verifiers (user agent \"WordPress/x.y; "
                 "http...\"): this host is the target of a pingback flood.",
                 labels, static_cast<double>(s.pingbacks()));
    for (int p = 0; p < access_log::kProbeCount; ++p) {
      sink.Counter(
          "edgewatch_http_exploit_probes_total",
          "Requests carrying an exploit signature (shellshock: \"() {\"; log4shell: "
          "\"${jndi:\"; path_traversal: \"/../\").",
          {{"log", log->name}, {"kind", access_log::ProbeName(static_cast<access_log::Probe>(p))}},
          static_cast<double>(s.probes()[static_cast<std::size_t>(p)]));
    }
    for (const auto& [client, count] :
         log->stats.TopClients(log->use_logged_time ? log->last_ns : now_ns)) {
      sink.Gauge("edgewatch_xmlrpc_top_client_requests",
                 "xmlrpc and wp-login requests of the busiest clients in the top_window (at most "
                 "top_k per log).",
                 {{"log", log->name}, {"client", std::string(client.view())}},
                 static_cast<double>(count));
    }
  }
  return {};
}

std::unique_ptr<Collector> MakeAccessLogCollector(const CollectorContext& context) {
  return std::make_unique<AccessLogCollector>(context.config.access_log, context.clock,
                                              context.logger);
}

}  // namespace edgewatch
