#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/collector.h"
#include "core/logger.h"
#include "core/trigger.h"
#include "io/change_trigger.h"
#include "io/file_follower.h"

namespace edgewatch {

// The followed logs of a config section's `logs` (entries with a name and a path).
template <class Entry>
std::vector<io::FollowedLog> Followed(const std::vector<Entry>& logs) {
  std::vector<io::FollowedLog> out;
  for (const auto& l : logs) {
    out.push_back({l.name, l.path});
  }
  return out;
}

// What every log collector shares: configured logs followed on a thread of their own (inotify,
// polling fallback), replayed files read from their start, the edgewatch_log_* health series,
// and one mutex between the follower and scrapes. A subclass keeps per-log state and turns each
// line into it; it must call Stop() in its destructor, before its state goes.
class FollowedLogsCollector : public Collector {
 public:
  // `trigger` paces the follower; null: inotify on the logs' directories, with
  // follow.poll_interval as the polling fallback.
  FollowedLogsCollector(std::vector<io::FollowedLog> logs, const FollowConfig& follow,
                        InputKind kind, const Clock& clock, Logger logger,
                        std::unique_ptr<Trigger> trigger);
  ~FollowedLogsCollector() override;

  Status Start() override;
  void Stop() override;
  Status Collect(MetricSink& sink) const override;

  bool Reads(InputKind kind) const override { return kind == kind_; }
  // Replay: the file from its start, as a log named after the file.
  Status Replay(InputKind kind, const std::string& path) override;

 protected:
  // A reload that changed only the list of logs: follows `logs` from now on. A log with the name
  // and path of a running one goes on where it was, its state kept (KeepLogs); new ones start at
  // the end of their files; dropped ones go. Not with replayed files.
  void SetLogs(std::vector<io::FollowedLog> logs);

  // A new log, numbered from 0 in the order added: configured log `config_index`, or a replayed
  // file (config_index -1). Called under the lock.
  virtual void AddLog(int config_index) = 0;
  // After SetLogs(): per-log state reordered so that log i continues old log from[i], or is new
  // (-1: AddLog(i)). Called under the lock; Reorder() does it for a vector of states.
  virtual void KeepLogs(std::span<const int> from) = 0;
  template <class State>
  void Reorder(std::vector<std::unique_ptr<State>>& states, std::span<const int> from) {
    auto old = std::exchange(states, {});
    for (std::size_t i = 0; i < from.size(); ++i) {
      if (from[i] >= 0) {
        states.push_back(std::move(old[static_cast<std::size_t>(from[i])]));
      } else {
        AddLog(static_cast<int>(i));
      }
    }
  }
  // One line of log `log` (no newline, never empty). Called under the lock.
  virtual void Line(std::size_t log, std::string_view line) = 0;
  // The subclass' series for every log. Called under the lock.
  virtual void ExportLogs(MetricSink& sink) const = 0;
  // The log label of log `log`. Under the lock.
  const std::string& LogName(std::size_t log) const { return names_[log]; }

  const Clock& clock_;
  Logger logger_;

 private:
  struct Source;
  class Lines;

  void FollowLoop();

  std::vector<io::FollowedLog> configured_;
  FollowConfig follow_;
  InputKind kind_;
  std::unique_ptr<Trigger> trigger_;
  io::ChangeTrigger* change_trigger_ = nullptr;  // trigger_, when it is the inotify one
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  mutable std::mutex mu_;
  std::vector<std::string> names_;                // guarded by mu_: per log
  std::vector<std::unique_ptr<Source>> sources_;  // guarded by mu_; [0] is live once started
};

}  // namespace edgewatch
