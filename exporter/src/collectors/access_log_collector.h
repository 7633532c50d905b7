#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/access_log_state.h"
#include "collectors/registry.h"
#include "core/collector.h"
#include "core/trigger.h"
#include "io/file_follower.h"

namespace edgewatch {

// httpd access logs, followed through rotation on a thread of their own: requests by method and
// code, xmlrpc and wp-login requests, WordPress pingbacks, exploit probes, and the clients
// sending the most xmlrpc / wp-login requests. Lines that do not parse are counted, never fatal.
class AccessLogCollector final : public Collector {
 public:
  // `trigger` paces the follower; null: inotify on the logs' directories with the configured
  // poll_interval as fallback.
  AccessLogCollector(const AccessLogConfig& config, const Clock& clock, Logger logger,
                     std::unique_ptr<Trigger> trigger = nullptr);
  ~AccessLogCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;

  bool Reads(InputKind kind) const override { return kind == InputKind::kAccessLog; }
  // Replay: the file from its start, format detected, as a log named after the file; the
  // top-client window runs on the logged times.
  Status Replay(InputKind kind, const std::string& path) override;

 private:
  struct Log;
  struct Source;
  class Lines;

  void FollowLoop();

  AccessLogConfig config_;
  AccessLogSettings settings_;
  const Clock& clock_;
  Logger logger_;
  std::unique_ptr<Trigger> trigger_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Log>> logs_;        // guarded by mu_
  std::vector<std::unique_ptr<Source>> sources_;  // guarded by mu_; [0] is live once started
};

std::unique_ptr<Collector> MakeAccessLogCollector(const CollectorContext& context);

}  // namespace edgewatch
