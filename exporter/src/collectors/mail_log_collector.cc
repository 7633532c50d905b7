#include "collectors/mail_log_collector.h"

#include <cmath>
#include <ctime>

#include "core/last_text_memo.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kMailConnectionsTotal{
    "edgewatch_mail_connections_total", prometheus::MetricType::Counter,
    "SMTP connections to smtpd from other hosts (loopback re-injection left out), by service: "
    "smtpd (the MX), submission, smtps, other."};
constexpr MetricDesc kMailMessagesAcceptedTotal{
    "edgewatch_mail_messages_accepted_total", prometheus::MetricType::Counter,
    "Messages smtpd gave a queue id, from other hosts (queue id or proxy-accept), by service: "
    "smtpd (the MX), submission, smtps, other."};
constexpr MetricDesc kMailRejectsTotal{
    "edgewatch_mail_rejects_total", prometheus::MetricType::Counter,
    "Rejects by smtpd, postscreen and cleanup, by SMTP stage and reason."};
constexpr MetricDesc kMailRblRejectsTotal{"edgewatch_mail_rbl_rejects_total",
                                          prometheus::MetricType::Counter,
                                          "Rejects because the client is on a DNS blocklist, by "
                                          "list (configured names; the rest \"other\")."};
constexpr MetricDesc kMailPostscreenTotal{"edgewatch_mail_postscreen_total",
                                          prometheus::MetricType::Counter, "postscreen results."};
constexpr MetricDesc kMailFilterVerdictsTotal{
    "edgewatch_mail_filter_verdicts_total", prometheus::MetricType::Counter,
    "Content filter verdicts (amavis, SpamAssassin spamd, rspamd) and what happened to the "
    "message: passed, tagged or blocked."};
constexpr MetricDesc kMailDeliveriesTotal{
    "edgewatch_mail_deliveries_total", prometheus::MetricType::Counter,
    "Delivery attempts (smtp, lmtp, local, virtual, pipe) by status."};
constexpr MetricDesc kMailUnparsedLinesTotal{"edgewatch_mail_unparsed_lines_total",
                                             prometheus::MetricType::Counter,
                                             "Non-empty lines that are not syslog lines."};
constexpr MetricDesc kMailDistinctSenderDomains{
    "edgewatch_mail_distinct_sender_domains", prometheus::MetricType::Gauge,
    "Distinct envelope sender domains (qmgr from=) within the snowshoe window (HyperLogLog, 1.6% "
    "standard error)."};
constexpr MetricDesc kMailWindowMessages{
    "edgewatch_mail_window_messages", prometheus::MetricType::Gauge,
    "Messages accepted from other hosts within the snowshoe window."};
constexpr MetricDesc kMailMessagesPerClientNetwork{
    "edgewatch_mail_messages_per_client_network", prometheus::MetricType::Gauge,
    "Messages accepted within the snowshoe window per distinct client network: snowshoe spam "
    "spreads thin, one or two per network."};
constexpr MetricDesc kMailDistinctClientNetworks{
    "edgewatch_mail_distinct_client_networks", prometheus::MetricType::Gauge,
    "Distinct client networks (/24 IPv4, /48 IPv6) that connected within the snowshoe window "
    "(HyperLogLog, 1.6% standard error)."};
constexpr MetricDesc kMailAuthFailuresTotal{
    "edgewatch_mail_auth_failures_total", prometheus::MetricType::Counter,
    "Failed password attempts: SMTP AUTH refused by Postfix's smtpd (SASL), IMAP/POP3 logins "
    "refused by Dovecot, by service."};
constexpr MetricDesc kMailTopAuthFailureNetworkAttempts{
    "edgewatch_mail_top_auth_failure_network_attempts", prometheus::MetricType::Gauge,
    "Failed password attempts the client networks (/24, /48) with the most surely made within "
    "the snowshoe window (at most 10 per log)."};
constexpr MetricDesc kMailTopAuthFailureNetworkErrorAttempts{
    "edgewatch_mail_top_auth_failure_network_error_attempts", prometheus::MetricType::Gauge,
    "How far the failing-network top list may be off: a listed network may have made up to this "
    "many more attempts, one not listed at most this many; 0 when the list is exact."};
constexpr MetricDesc kMailTopSaslSenderMessages{
    "edgewatch_mail_top_sasl_sender_messages", prometheus::MetricType::Gauge,
    "Messages the authenticated (SASL) users who submitted the most surely submitted within the "
    "snowshoe window (at most 10 per log): a compromised account sending spam tops it."};
constexpr MetricDesc kMailTopSaslSenderErrorMessages{
    "edgewatch_mail_top_sasl_sender_error_messages", prometheus::MetricType::Gauge,
    "How far the SASL sender top list may be off: a listed user may have submitted up to this "
    "many more, one not listed at most this many; 0 when the list is exact."};
constexpr MetricDesc kMailTopSaslSenderRecipients{
    "edgewatch_mail_top_sasl_sender_recipients", prometheus::MetricType::Gauge,
    "Recipients of the messages the authenticated (SASL) users with the most surely submitted "
    "within the snowshoe window (at most 10 per log; Postfix's qmgr nrcpt, Exim's recipients "
    "with +received_recipients): few messages to many recipients each."};
constexpr MetricDesc kMailTopSaslSenderErrorRecipients{
    "edgewatch_mail_top_sasl_sender_error_recipients", prometheus::MetricType::Gauge,
    "How far the SASL recipients top list may be off: a listed user may have had up to this many "
    "more, one not listed at most this many; 0 when the list is exact."};
constexpr const MetricDesc* kMetrics[] = {&kMailConnectionsTotal,
                                          &kMailMessagesAcceptedTotal,
                                          &kMailRejectsTotal,
                                          &kMailRblRejectsTotal,
                                          &kMailPostscreenTotal,
                                          &kMailFilterVerdictsTotal,
                                          &kMailDeliveriesTotal,
                                          &kMailUnparsedLinesTotal,
                                          &kMailDistinctClientNetworks,
                                          &kMailDistinctSenderDomains,
                                          &kMailWindowMessages,
                                          &kMailMessagesPerClientNetwork,
                                          &kMailAuthFailuresTotal,
                                          &kMailTopAuthFailureNetworkAttempts,
                                          &kMailTopAuthFailureNetworkErrorAttempts,
                                          &kMailTopSaslSenderMessages,
                                          &kMailTopSaslSenderErrorMessages,
                                          &kMailTopSaslSenderRecipients,
                                          &kMailTopSaslSenderErrorRecipients};

}  // namespace

namespace {

int CurrentYear(const Clock& clock) {
  const std::time_t now = Clock::SystemTime::clock::to_time_t(clock.Now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  return utc.tm_year + 1900;
}

}  // namespace

class MailLogCollector::Handler final : public LogHandler {
 public:
  Handler(const MailLogConfig& config, const MailLogSettings& settings, int year)
      : config_(config), stats_(settings), year_(year) {}

  void Line(std::string_view line, LogTime& time) override {
    const auto syslog = mail_log::ParseSyslog(line);
    if (!syslog) {
      stats_.AddUnparsed();
      return;
    }
    const mail_log::Event e = mail_log::Classify(*syslog);
    if (e.kind == mail_log::EventKind::kNone) {
      return;
    }
    stats_.Add(e, time.Now([&] { return Logged(syslog->time); }));
  }

  std::optional<std::int64_t> LineTime(std::string_view line) override {
    const auto syslog = mail_log::ParseSyslog(line);
    return syslog ? Logged(syslog->time) : std::nullopt;
  }

  void Export(MetricSink& sink, const std::string& log, std::int64_t now_ns) const override;

 private:
  // A syslog time text in nanoseconds since the epoch.
  std::optional<std::int64_t> Logged(std::string_view time) {
    if (const auto t = logged_time_.Get(
            time, [this](std::string_view text) { return mail_log::SyslogSeconds(text, year_); })) {
      return *t * 1'000'000'000;
    }
    return std::nullopt;
  }

  const MailLogConfig& config_;
  mutable MailLogStats stats_;  // its windows expire as they are read
  int year_;
  // The lines of one second share their time: parsed once (replay; live takes the clock).
  LastTextMemo<40, std::optional<std::int64_t>> logged_time_;
};

MailLogCollector::MailLogCollector(const MailLogConfig& config, const Clock& clock, Logger logger,
                                   std::unique_ptr<io::FileChangeTrigger> trigger)
    : config_(config),
      settings_{
          config_.rbls,
          std::chrono::duration_cast<std::chrono::nanoseconds>(config_.snowshoe_window).count()},
      year_(CurrentYear(clock)),
      logs_(Followed(config_.logs), config_.follow, clock, std::move(logger), std::move(trigger),
            [this](std::optional<std::size_t>) {
              return std::make_unique<Handler>(config_, settings_, year_);
            }) {}

void MailLogCollector::SetLogs(const std::vector<MailLogFileConfig>& logs) {
  config_.logs = logs;
  logs_.SetLogs(Followed(config_.logs));
}

void MailLogCollector::Handler::Export(MetricSink& sink, const std::string& name,
                                       std::int64_t now_ns) const {
  using namespace mail_log;
  {
    MailLogStats& s = stats_;
    const Labels labels = {{"log", name}};
    for (int v = 0; v < kSmtpServiceCount; ++v) {
      const auto service = static_cast<SmtpService>(v);
      const Labels by_service = {{"log", name}, {"service", SmtpServiceName(service)}};
      sink.Add(kMailConnectionsTotal, by_service, static_cast<double>(s.connections(service)));
      sink.Add(kMailMessagesAcceptedTotal, by_service, static_cast<double>(s.accepted(service)));
    }
    for (int st = 0; st < kStageCount; ++st) {
      for (int r = 0; r < kReasonCount; ++r) {
        const auto n = s.rejects(static_cast<Stage>(st), static_cast<Reason>(r));
        if (n > 0 || CanReject(static_cast<Stage>(st), static_cast<Reason>(r))) {
          sink.Add(kMailRejectsTotal,
                   {{"log", name},
                    {"stage", StageName(static_cast<Stage>(st))},
                    {"reason", ReasonName(static_cast<Reason>(r))}},
                   static_cast<double>(n));
        }
      }
    }
    for (std::size_t i = 0; i < s.rbl_rejects().size(); ++i) {
      sink.Add(kMailRblRejectsTotal,
               {{"log", name}, {"rbl", i < config_.rbls.size() ? config_.rbls[i] : "other"}},
               static_cast<double>(s.rbl_rejects()[i]));
    }
    for (int r = 0; r < kPostscreenResultCount; ++r) {
      sink.Add(kMailPostscreenTotal,
               {{"log", name}, {"result", PostscreenResultName(static_cast<PostscreenResult>(r))}},
               static_cast<double>(s.postscreen(static_cast<PostscreenResult>(r))));
    }
    for (int f = 0; f < kFilterCount; ++f) {
      for (int v = 0; v < kVerdictCount; ++v) {
        for (int a = 0; a < kActionCount; ++a) {
          const auto n =
              s.verdicts(static_cast<Filter>(f), static_cast<Verdict>(v), static_cast<Action>(a));
          if (n > 0 ||
              CanJudge(static_cast<Filter>(f), static_cast<Verdict>(v), static_cast<Action>(a))) {
            sink.Add(kMailFilterVerdictsTotal,
                     {{"log", name},
                      {"filter", FilterName(static_cast<Filter>(f))},
                      {"verdict", VerdictName(static_cast<Verdict>(v))},
                      {"action", ActionName(static_cast<Action>(a))}},
                     static_cast<double>(n));
          }
        }
      }
    }
    for (int d = 0; d < kDeliveryCount; ++d) {
      sink.Add(kMailDeliveriesTotal,
               {{"log", name}, {"status", DeliveryName(static_cast<Delivery>(d))}},
               static_cast<double>(s.deliveries(static_cast<Delivery>(d))));
    }
    sink.Add(kMailUnparsedLinesTotal, labels, static_cast<double>(s.unparsed()));
    const SnowshoeView v = s.Snowshoe(now_ns);
    sink.Add(kMailDistinctClientNetworks, {{"log", name}, {"family", "ipv4"}},
             std::round(v.networks_v4));
    sink.Add(kMailDistinctClientNetworks, {{"log", name}, {"family", "ipv6"}},
             std::round(v.networks_v6));
    sink.Add(kMailDistinctSenderDomains, labels, std::round(v.sender_domains));
    sink.Add(kMailWindowMessages, labels, static_cast<double>(v.messages));
    sink.Add(kMailMessagesPerClientNetwork, labels, v.messages_per_network());
    for (int a = 0; a < kAuthServiceCount; ++a) {
      sink.Add(kMailAuthFailuresTotal,
               {{"log", name}, {"service", AuthServiceName(static_cast<AuthService>(a))}},
               static_cast<double>(s.auth_failures(static_cast<AuthService>(a))));
    }
    const auto networks = s.TopAuthFailureNetworks(now_ns);
    for (const auto& [network, n] : networks.entries) {
      sink.Add(
          kMailTopAuthFailureNetworkAttempts,
          {{"log", name}, {"network", net::FormatAddress(network) + (network.v6 ? "/48" : "/24")}},
          static_cast<double>(n));
    }
    sink.Add(kMailTopAuthFailureNetworkErrorAttempts, labels,
             static_cast<double>(networks.error_bound));
    const auto users = [&](const TopList<MailUserKey>& top, const MetricDesc& family,
                           const MetricDesc& error) {
      for (const auto& [user, n] : top.entries) {
        sink.Add(family, {{"log", name}, {"user", std::string(user.view())}},
                 static_cast<double>(n));
      }
      sink.Add(error, labels, static_cast<double>(top.error_bound));
    };
    users(s.TopSaslSenders(now_ns), kMailTopSaslSenderMessages, kMailTopSaslSenderErrorMessages);
    users(s.TopSaslRecipients(now_ns), kMailTopSaslSenderRecipients,
          kMailTopSaslSenderErrorRecipients);
  }
}

const CollectorRegistration kMailLogCollector = {
    "mail_log",
    "mail logs: rejects, RBL hits, spam-filter pass-through, snowshoe indicators",
    [](const Config& c) { return c.Section<MailLogConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<MailLogCollector>(context.config.Section<MailLogConfig>(),
                                                context.clock, context.logger);
    },
    &KeepWhileOnlyLogsChange<MailLogCollector, MailLogConfig>,
    {"--mail-log", "a mail log", "log"},
    kMetrics,
    &kMailLogSection,
};

}  // namespace edgewatch
