#pragma once

#include <memory>
#include <vector>

#include "collectors/followed_logs.h"
#include "collectors/mail_log_state.h"
#include "collectors/registry.h"
#include "config/mail_log_config.h"

namespace edgewatch {

// Mail logs (Postfix, postscreen, amavis, SpamAssassin spamd, rspamd), followed through
// rotation: connections, rejects by stage and reason, RBL hits by list, postscreen results,
// content-filter verdicts, deliveries, and the snowshoe indicators over a sliding window.
// Lines that are not syslog lines are counted, never fatal. In replay the window runs on the
// logged times.
class MailLogCollector final : public Collector {
 public:
  MailLogCollector(const MailLogConfig& config, const Clock& clock, Logger logger,
                   std::unique_ptr<io::FileChangeTrigger> trigger = nullptr);

  Status Start() override { return logs_.Start(); }
  void Stop() override { logs_.Stop(); }
  Status Collect(MetricSink& sink) const override { return logs_.Collect(sink); }
  Status Replay(const std::string& path) override { return logs_.Replay(path); }
  Expected<std::unique_ptr<ReplaySource>> OpenReplay(const std::string& path) override {
    return logs_.OpenReplay(path);
  }

  // A reload that changed only `logs`: see FollowedLogs::SetLogs.
  void SetLogs(const std::vector<MailLogFileConfig>& logs);

 private:
  class Handler;

  MailLogConfig config_;
  MailLogSettings settings_;
  int year_;           // of RFC 3164 times, which have none: the year at start
  FollowedLogs logs_;  // last: its thread runs handlers that use the above
};

extern const CollectorRegistration kMailLogCollector;

}  // namespace edgewatch
