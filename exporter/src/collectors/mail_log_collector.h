#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "collectors/followed_logs.h"
#include "collectors/mail_log_state.h"
#include "collectors/registry.h"

namespace edgewatch {

// Mail logs (Postfix, postscreen, amavis, SpamAssassin spamd, rspamd), followed through
// rotation: connections, rejects by stage and reason, RBL hits by list, postscreen results,
// content-filter verdicts, deliveries, and the snowshoe indicators over a sliding window.
// Lines that are not syslog lines are counted, never fatal. In replay the window runs on the
// logged times.
class MailLogCollector final : public FollowedLogsCollector {
 public:
  MailLogCollector(const MailLogConfig& config, const Clock& clock, Logger logger,
                   std::unique_ptr<Trigger> trigger = nullptr);
  ~MailLogCollector() override;

  // A reload that changed only `logs`: see FollowedLogsCollector::SetLogs.
  void SetLogs(const std::vector<MailLogFileConfig>& logs);

 private:
  struct Log;

  void AddLog(int config_index) override;
  void KeepLogs(std::span<const int> from) override;
  void Line(std::size_t log, std::string_view line) override;
  void ExportLogs(MetricSink& sink) const override;

  MailLogConfig config_;
  MailLogSettings settings_;
  std::vector<std::unique_ptr<Log>> logs_;  // guarded by the base's lock
};

std::unique_ptr<Collector> MakeMailLogCollector(const CollectorContext& context);

}  // namespace edgewatch
