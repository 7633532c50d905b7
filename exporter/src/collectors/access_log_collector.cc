#include "collectors/access_log_collector.h"

namespace edgewatch {

struct AccessLogCollector::Log {
  Log(std::optional<access_log::Format> f, const AccessLogSettings& settings, bool logged_time)
      : format(std::move(f)), stats(settings), use_logged_time(logged_time) {}

  std::optional<access_log::Format> format;  // none: detected per line
  access_log::AutoFormat detect;
  AccessLogStats stats;
  bool use_logged_time;      // replay: the top-client window runs on %t
  std::int64_t last_ns = 0;  // the logged time of the latest xmlrpc / wp-login request (replay)
};

AccessLogCollector::AccessLogCollector(const AccessLogConfig& config, const Clock& clock,
                                       Logger logger, std::unique_ptr<Trigger> trigger)
    : FollowedLogsCollector(Followed(config.logs), config.follow, InputKind::kAccessLog, clock,
                            std::move(logger), std::move(trigger)),
      config_(config) {
  settings_.xmlrpc_paths = config_.xmlrpc_paths;
  settings_.wp_login_paths = config_.wp_login_paths;
  settings_.top_k = config_.top_k;
  settings_.window_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config_.top_window).count();
}

AccessLogCollector::~AccessLogCollector() { Stop(); }

void AccessLogCollector::SetLogs(const std::vector<AccessLogFileConfig>& logs) {
  config_.logs = logs;
  FollowedLogsCollector::SetLogs(Followed(config_.logs));
}

std::optional<access_log::Format> AccessLogCollector::FormatOf(int config_index) const {
  if (config_index < 0 || config_.logs[static_cast<std::size_t>(config_index)].format.empty()) {
    return std::nullopt;
  }
  std::string error;  // validated with the config
  return access_log::Format::Compile(config_.logs[static_cast<std::size_t>(config_index)].format,
                                     &error);
}

void AccessLogCollector::AddLog(int config_index) {
  logs_.push_back(std::make_unique<Log>(FormatOf(config_index), settings_, config_index < 0));
}

void AccessLogCollector::KeepLogs(std::span<const int> from) {
  Reorder(logs_, from);
  for (std::size_t i = 0; i < logs_.size(); ++i) {
    logs_[i]->format = FormatOf(static_cast<int>(i));
  }
}

void AccessLogCollector::Line(std::size_t index, std::string_view line) {
  Log& log = *logs_[index];
  access_log::Request r;
  if (!(log.format ? log.format->Parse(line, r) : log.detect.Parse(line, r))) {
    log.stats.AddParseError();
    return;
  }
  if (!log.stats.Add(r) || r.client.empty()) {  // a format without %h has no clients to rank
    return;
  }
  if (log.use_logged_time) {
    if (const auto t = access_log::ParseTime(r.time)) {
      log.last_ns = *t * 1'000'000'000;
    }
    log.stats.AddTopClient(r.client, log.last_ns);
  } else {
    log.stats.AddTopClient(r.client, clock_.Monotonic().time_since_epoch().count());
  }
}

namespace {

// Series appear with their first request, except POST 200 when `post_200_always`: a flood of
// those right after a start then shows in rate() from its first request, not from the second
// scrape.
void ExportByMethodCode(MetricSink& sink, std::string_view name, std::string_view help,
                        const std::string& log, const AccessLogStats::ByMethodCode& counts,
                        bool post_200_always = false) {
  constexpr auto kPost = static_cast<std::size_t>(access_log::Method::kPost);
  for (std::size_t m = 0; m < access_log::kMethodCount; ++m) {
    for (std::size_t code = 0; code < AccessLogStats::kCodes; ++code) {
      const auto n = counts[m][code];
      if (n > 0 || (post_200_always && m == kPost && code + 100 == 200)) {
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

void AccessLogCollector::ExportLogs(MetricSink& sink) const {
  const std::int64_t now_ns = clock_.Monotonic().time_since_epoch().count();
  for (std::size_t i = 0; i < logs_.size(); ++i) {
    const auto& log = logs_[i];
    const std::string& name = LogName(i);
    const auto& s = log->stats;
    const Labels labels = {{"log", name}};
    ExportByMethodCode(sink, "edgewatch_http_requests_total",
                       "Requests in the access log, by method (a fixed set, else OTHER) and code.",
                       name, s.requests());
    sink.Counter("edgewatch_http_response_bytes_total", "Response bytes logged (%b / %O).", labels,
                 static_cast<double>(s.response_bytes()));
    sink.Counter("edgewatch_accesslog_parse_errors_total",
                 "Non-empty lines that did not parse in the log's format.", labels,
                 static_cast<double>(s.parse_errors()));
    ExportByMethodCode(sink, "edgewatch_xmlrpc_requests_total",
                       "Requests for the xmlrpc paths (default /xmlrpc.php).", name, s.xmlrpc(),
                       true);
    ExportByMethodCode(sink, "edgewatch_wp_login_requests_total",
                       "Requests for the wp-login paths (default /wp-login.php).", name,
                       s.wp_login(), true);
    sink.Counter("edgewatch_http_pingback_requests_total",
                 "Requests from WordPress pingback verifiers (user agent \"WordPress/x.y; "
                 "http...\"): this host is the target of a pingback flood.",
                 labels, static_cast<double>(s.pingbacks()));
    for (int p = 0; p < access_log::kProbeCount; ++p) {
      sink.Counter(
          "edgewatch_http_exploit_probes_total",
          "Requests carrying an exploit signature (shellshock: \"() {\"; log4shell: "
          "\"${jndi:\"; path_traversal: \"/../\").",
          {{"log", name}, {"kind", access_log::ProbeName(static_cast<access_log::Probe>(p))}},
          static_cast<double>(s.probes()[static_cast<std::size_t>(p)]));
    }
    for (const auto& [client, count] :
         log->stats.TopClients(log->use_logged_time ? log->last_ns : now_ns)) {
      sink.Gauge("edgewatch_xmlrpc_top_client_requests",
                 "xmlrpc and wp-login requests of the busiest clients in the top_window (at most "
                 "top_k per log).",
                 {{"log", name}, {"client", std::string(client.view())}},
                 static_cast<double>(count));
    }
  }
}

std::unique_ptr<Collector> MakeAccessLogCollector(const CollectorContext& context) {
  return std::make_unique<AccessLogCollector>(context.config.access_log, context.clock,
                                              context.logger);
}

}  // namespace edgewatch
