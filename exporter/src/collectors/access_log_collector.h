#pragma once

#include <memory>
#include <vector>

#include "collectors/access_log_state.h"
#include "collectors/followed_logs.h"
#include "collectors/registry.h"
#include "config/access_log_config.h"

namespace edgewatch {

// httpd access logs, followed through rotation: requests by method and code, xmlrpc and
// wp-login requests, WordPress pingbacks, exploit probes, and the clients sending the most
// xmlrpc / wp-login requests. Lines that do not parse are counted, never fatal. In replay the
// format is detected per line and the top-client window runs on the logged times.
class AccessLogCollector final : public Collector {
 public:
  AccessLogCollector(const AccessLogConfig& config, const Clock& clock, Logger logger,
                     std::unique_ptr<io::FileChangeTrigger> trigger = nullptr);

  Status Start() override { return logs_.Start(); }
  void Stop() override { logs_.Stop(); }
  Status Collect(MetricSink& sink) const override { return logs_.Collect(sink); }
  Status Replay(const std::string& path) override { return logs_.Replay(path); }
  Expected<std::unique_ptr<ReplaySource>> OpenReplay(const std::string& path) override {
    return logs_.OpenReplay(path);
  }

  // A reload that changed only `logs`: see FollowedLogs::SetLogs. A kept log takes its new
  // format.
  void SetLogs(const std::vector<AccessLogFileConfig>& logs);

 private:
  class Handler;

  AccessLogConfig config_;
  AccessLogSettings settings_;
  FollowedLogs logs_;  // last: its thread runs handlers that use the above
};

extern const CollectorRegistration kAccessLogCollector;

}  // namespace edgewatch
