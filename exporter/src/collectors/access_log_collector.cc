#include "collectors/access_log_collector.h"

#include <algorithm>
#include <span>

#include "parsers/text/glob.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kHttpResponseBytesTotal{"edgewatch_http_response_bytes_total",
                                             prometheus::MetricType::Counter,
                                             "Response bytes logged (%b / %O)."};
constexpr MetricDesc kHttpUnparsedLinesTotal{
    "edgewatch_http_unparsed_lines_total", prometheus::MetricType::Counter,
    "Non-empty lines that did not parse in the log's format."};
constexpr MetricDesc kHttpPingbackRequestsTotal{
    "edgewatch_http_pingback_requests_total", prometheus::MetricType::Counter,
    "Requests from WordPress pingback verifiers (user agent \"WordPress/x.y; http...\"): this host "
    "is the target of a pingback flood."};
constexpr MetricDesc kHttpExploitProbesTotal{
    "edgewatch_http_exploit_probes_total", prometheus::MetricType::Counter,
    "Requests carrying an exploit signature in a field the client chose (shellshock: \"() {\"; "
    "log4shell: \"${jndi:\"; path_traversal: a \"..\" segment, %-decoded), by the class of "
    "the answer: 2xx may have worked."};
constexpr MetricDesc kXmlrpcTopClientRequests{"edgewatch_xmlrpc_top_client_requests",
                                              prometheus::MetricType::Gauge,
                                              "xmlrpc and wp-login requests the busiest clients "
                                              "surely sent in the top_window (at most top_k per "
                                              "log)."};
constexpr MetricDesc kXmlrpcTopClientErrorRequests{
    "edgewatch_xmlrpc_top_client_error_requests", prometheus::MetricType::Gauge,
    "How far the top list may be off: a listed client may have sent up to this many more than "
    "shown, one not listed at most this many; 0 when the list is exact."};
constexpr MetricDesc kHttpTopVhostRequests{
    "edgewatch_http_top_vhost_requests", prometheus::MetricType::Gauge,
    "Requests the busiest sites (%v, else Host, else the file name with vhost_from_path) surely "
    "had in the top_window, by kind: all, xmlrpc and wp_login POSTs, exploit probes (at most "
    "top_k per log and kind)."};
constexpr MetricDesc kHttpTopVhostErrorRequests{
    "edgewatch_http_top_vhost_error_requests", prometheus::MetricType::Gauge,
    "How far a site top list may be off: a listed site may have had up to this many more, one "
    "not listed at most this many; 0 when the list is exact."};
constexpr MetricDesc kHttpRequestsTotal{
    "edgewatch_http_requests_total", prometheus::MetricType::Counter,
    "Requests in the access log, by method (a fixed set, else OTHER) and code."};
constexpr MetricDesc kXmlrpcRequestsTotal{"edgewatch_xmlrpc_requests_total",
                                          prometheus::MetricType::Counter,
                                          "Requests for the xmlrpc paths (default /xmlrpc.php)."};
constexpr MetricDesc kWpLoginRequestsTotal{
    "edgewatch_wp_login_requests_total", prometheus::MetricType::Counter,
    "Requests for the wp-login paths (default /wp-login.php)."};
constexpr const MetricDesc* kMetrics[] = {
    &kHttpRequestsTotal,      &kXmlrpcRequestsTotal,      &kWpLoginRequestsTotal,
    &kHttpResponseBytesTotal, &kHttpUnparsedLinesTotal,   &kHttpPingbackRequestsTotal,
    &kHttpExploitProbesTotal, &kXmlrpcTopClientRequests,  &kXmlrpcTopClientErrorRequests,
    &kHttpTopVhostRequests,   &kHttpTopVhostErrorRequests};

}  // namespace

namespace {

// A configured log's format; none (a replayed file) is detected per line.
std::optional<access_log::Format> FormatOf(const AccessLogConfig& config,
                                           std::optional<std::size_t> config_index) {
  if (!config_index || config.logs[*config_index].format.empty()) {
    return std::nullopt;
  }
  return *access_log::Format::Compile(config.logs[*config_index].format);  // validated already
}

}  // namespace

class AccessLogCollector::Handler final : public LogHandler {
 public:
  Handler(const AccessLogConfig& config, const AccessLogSettings& settings,
          std::optional<std::size_t> config_index)
      : config_(config), stats_(settings) {
    Configure(config_index);
  }

  void Line(std::string_view line, LogTime& time) override {
    const auto parsed = format_ ? format_->Parse(line) : detect_.Parse(line);
    if (!parsed) {
      stats_.AddParseError();
      return;
    }
    const access_log::Request& r = *parsed;
    const Seen seen = stats_.Add(r);
    const bool ranks_client = seen.RanksClient() && !r.client.empty();  // a format may lack %h
    const std::string_view site = r.site();
    if (!ranks_client && !path_site_ && site.empty()) {
      return;
    }
    const std::int64_t now = time.Now([&] { return Logged(r.time); });
    if (ranks_client) {
      stats_.AddTopClient(r.client, now);
    }
    if (path_site_) {
      stats_.AddSite(*path_site_, seen, now);
    } else if (!site.empty()) {
      stats_.AddSite(site_key_.Get(site, SiteKeyOf), seen, now);
    }
  }

  std::optional<std::int64_t> LineTime(std::string_view line) override {
    const auto parsed = format_ ? format_->Parse(line) : detect_.Parse(line);
    return parsed ? Logged(parsed->time) : std::nullopt;
  }

  void Kept(std::size_t config_index) override { Configure(config_index); }

  void File(std::string_view path) override {
    if (glob_) {  // a name the glob did not match (it changed on a reload) gives no site
      const auto site = text::GlobCapture(*glob_, path);
      path_site_ = site ? std::optional<SiteKey>(SiteKeyOf(*site)) : std::nullopt;
    }
  }

  void Export(MetricSink& sink, const std::string& log, std::int64_t now_ns) const override;

 private:
  // A %t text in nanoseconds since the epoch.
  std::optional<std::int64_t> Logged(std::string_view time) {
    if (const auto t = logged_time_.Get(time, access_log::ParseTime)) {
      return *t * 1'000'000'000;
    }
    return std::nullopt;
  }

  // The settings of configured log `config_index` (none: a replayed file no log stands for).
  void Configure(std::optional<std::size_t> config_index) {
    format_ = FormatOf(config_, config_index);
    const bool from_path = config_index && config_.logs[*config_index].vhost_from_path;
    glob_ = from_path ? std::optional<std::string>(config_.logs[*config_index].path) : std::nullopt;
    path_site_.reset();
  }

  const AccessLogConfig& config_;
  std::optional<access_log::Format> format_;  // none: detected per line
  std::optional<std::string> glob_;           // the path, when the site comes from it
  std::optional<SiteKey> path_site_;          // the site of the current file's lines
  access_log::AutoFormat detect_;
  LastTextMemo<32, std::optional<std::int64_t>> logged_time_;  // %t: 26 bytes
  LastTextMemo<96, SiteKey> site_key_;
  mutable AccessLogStats stats_;  // its window expires as it is read
};

AccessLogCollector::AccessLogCollector(const AccessLogConfig& config, const Clock& clock,
                                       Logger logger,
                                       std::unique_ptr<io::FileChangeTrigger> trigger)
    : config_(config),
      settings_{config_.xmlrpc_paths, config_.wp_login_paths, config_.top_k,
                std::chrono::duration_cast<std::chrono::nanoseconds>(config_.top_window).count()},
      logs_(
          Followed(config_.logs), config_.follow, clock, std::move(logger), std::move(trigger),
          [this](std::optional<std::size_t> config_index) {
            return std::make_unique<Handler>(config_, settings_, config_index);
          },
          io::JournalLine::kMessage) {}

void AccessLogCollector::SetLogs(const std::vector<AccessLogFileConfig>& logs) {
  config_.logs = logs;
  logs_.SetLogs(Followed(config_.logs));
}

namespace {

// A method and status code exported from the start, at 0 until counted.
struct MethodCode {
  access_log::Method method;
  int code;
};
// All requests: GET and POST with a code of each class a ratio looks at (2xx, 3xx, 4xx, 5xx),
// so per-class sums show 0 on a quiet log, not "No data".
constexpr MethodCode kRequestsFromStart[] = {
    {access_log::Method::kGet, 200},  {access_log::Method::kGet, 304},
    {access_log::Method::kGet, 404},  {access_log::Method::kGet, 500},
    {access_log::Method::kPost, 200}, {access_log::Method::kPost, 304},
    {access_log::Method::kPost, 404}, {access_log::Method::kPost, 500}};
// xmlrpc and wp-login: POST 200, so a flood right after a start shows in rate() from its first
// request, not from the second scrape.
constexpr MethodCode kFloodsFromStart[] = {{access_log::Method::kPost, 200}};

// Series appear with their first request, except those in `from_start`.
void ExportByMethodCode(MetricSink& sink, const MetricDesc& desc, const std::string& log,
                        const AccessLogStats::ByMethodCode& counts,
                        std::span<const MethodCode> from_start) {
  for (std::size_t m = 0; m < access_log::kMethodCount; ++m) {
    for (std::size_t code = 0; code < AccessLogStats::kCodes; ++code) {
      const auto n = counts[m][code];
      const bool always = std::any_of(from_start.begin(), from_start.end(), [&](MethodCode mc) {
        return static_cast<std::size_t>(mc.method) == m &&
               static_cast<std::size_t>(mc.code) == code + 100;
      });
      if (n > 0 || always) {
        sink.Add(desc,
                 {{"log", log},
                  {"method", access_log::MethodName(static_cast<access_log::Method>(m))},
                  {"code", std::to_string(code + 100)}},
                 static_cast<double>(n));
      }
    }
  }
}

}  // namespace

void AccessLogCollector::Handler::Export(MetricSink& sink, const std::string& name,
                                         std::int64_t now_ns) const {
  {
    const auto& s = stats_;
    const Labels labels = {{"log", name}};
    ExportByMethodCode(sink, kHttpRequestsTotal, name, s.requests(), kRequestsFromStart);
    sink.Add(kHttpResponseBytesTotal, labels, static_cast<double>(s.response_bytes()));
    sink.Add(kHttpUnparsedLinesTotal, labels, static_cast<double>(s.parse_errors()));
    ExportByMethodCode(sink, kXmlrpcRequestsTotal, name, s.xmlrpc(), kFloodsFromStart);
    ExportByMethodCode(sink, kWpLoginRequestsTotal, name, s.wp_login(), kFloodsFromStart);
    sink.Add(kHttpPingbackRequestsTotal, labels, static_cast<double>(s.pingbacks()));
    static constexpr const char* kClasses[AccessLogStats::kCodeClasses] = {"1xx", "2xx", "3xx",
                                                                           "4xx", "5xx"};
    for (std::size_t p = 0; p < access_log::kProbeCount; ++p) {
      for (std::size_t c = 0; c < AccessLogStats::kCodeClasses; ++c) {
        sink.Add(kHttpExploitProbesTotal,
                 {{"log", name},
                  {"kind", access_log::ProbeName(static_cast<access_log::Probe>(p))},
                  {"code_class", kClasses[c]}},
                 static_cast<double>(s.probes()[p][c]));
      }
    }
    const auto top = stats_.TopClients(now_ns);
    for (const auto& [client, count] : top.entries) {
      sink.Add(kXmlrpcTopClientRequests, {{"log", name}, {"client", std::string(client.view())}},
               static_cast<double>(count));
    }
    sink.Add(kXmlrpcTopClientErrorRequests, labels, static_cast<double>(top.error_bound));
    for (std::size_t k = 0; k < kSiteKinds; ++k) {
      const auto kind = static_cast<SiteKind>(k);
      const auto sites = stats_.TopSites(kind, now_ns);
      for (const auto& [site, count] : sites.entries) {
        sink.Add(kHttpTopVhostRequests,
                 {{"log", name}, {"kind", SiteKindName(kind)}, {"vhost", std::string(site.view())}},
                 static_cast<double>(count));
      }
      sink.Add(kHttpTopVhostErrorRequests, {{"log", name}, {"kind", SiteKindName(kind)}},
               static_cast<double>(sites.error_bound));
    }
  }
}

const CollectorRegistration kAccessLogCollector = {
    "access_log",
    "httpd access logs: xmlrpc / wp-login floods, pingbacks, exploit probes",
    [](const Config& c) { return c.Section<AccessLogConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<AccessLogCollector>(context.config.Section<AccessLogConfig>(),
                                                  context.clock, context.logger);
    },
    &KeepWhileOnlyLogsChange<AccessLogCollector, AccessLogConfig>,
    {"--access-log", "an httpd access log", "log"},
    kMetrics,
    &kAccessLogSection,
};

}  // namespace edgewatch
