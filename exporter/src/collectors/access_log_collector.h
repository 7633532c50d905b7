#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collectors/access_log_state.h"
#include "collectors/followed_logs.h"
#include "collectors/registry.h"

namespace edgewatch {

// httpd access logs, followed through rotation: requests by method and code, xmlrpc and
// wp-login requests, WordPress pingbacks, exploit probes, and the clients sending the most
// xmlrpc / wp-login requests. Lines that do not parse are counted, never fatal. In replay the
// format is detected per line and the top-client window runs on the logged times.
class AccessLogCollector final : public FollowedLogsCollector {
 public:
  AccessLogCollector(const AccessLogConfig& config, const Clock& clock, Logger logger,
                     std::unique_ptr<Trigger> trigger = nullptr);
  ~AccessLogCollector() override;

  // A reload that changed only `logs`: see FollowedLogsCollector::SetLogs. A kept log takes its
  // new format.
  void SetLogs(const std::vector<AccessLogFileConfig>& logs);

 private:
  struct Log;

  std::optional<access_log::Format> FormatOf(int config_index) const;
  void AddLog(int config_index) override;
  void KeepLogs(std::span<const int> from) override;
  void Line(std::size_t log, std::string_view line) override;
  void ExportLogs(MetricSink& sink) const override;

  AccessLogConfig config_;
  AccessLogSettings settings_;
  std::vector<std::unique_ptr<Log>> logs_;  // guarded by the base's lock
};

std::unique_ptr<Collector> MakeAccessLogCollector(const CollectorContext& context);

}  // namespace edgewatch
