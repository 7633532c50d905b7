#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "collectors/registry.h"
#include "config/config.h"
#include "config/section.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/metric_sink.h"
#include "core/trigger.h"
#include "io/change_trigger.h"
#include "io/file_follower.h"
#include "io/journal_reader.h"

namespace edgewatch {

// One configured log: its files (a path or a glob) or the systemd journal.
struct LogSource {
  std::string name;
  std::string path;  // empty for a journal log
  std::optional<JournalLogConfig> journal{};

  friend bool operator==(const LogSource&, const LogSource&) = default;
};

// The logs of a config section's `logs` (entries with a name, a path or a journal).
template <class Entry>
std::vector<LogSource> Followed(const std::vector<Entry>& logs) {
  std::vector<LogSource> out;
  for (const auto& l : logs) {
    out.push_back({l.name, l.path, l.journal});
  }
  return out;
}

// take_over for a log collector `C` of config section `Section`: it stays while nothing but
// the section's `logs` changed, and then follows the new list (C::SetLogs).
template <class C, class Section>
TakeOver KeepWhileOnlyLogsChange(Collector& running, const Config& was, const Config& next) {
  auto a = was.Section<Section>();
  auto b = next.Section<Section>();
  a.logs.clear();
  b.logs.clear();
  if (a != b) {
    return std::nullopt;
  }
  auto& collector = static_cast<C&>(running);  // built by C's registration
  return [&collector, &next] { collector.SetLogs(next.Section<Section>().logs); };
}

// The time a log's windows (top-K, distinct counts) run on, in nanoseconds: live, the monotonic
// clock; in replay, the latest time the log itself gave, so that a replayed incident has the
// windows it had when it happened.
class LogTime {
 public:
  // `live`: the clock of a followed log; null for a replayed file.
  explicit LogTime(const Clock* live) : live_(live) {}

  // The time for a line: `logged()` (std::optional<std::int64_t>, the line's own time) is asked
  // only in replay, so live lines are never parsed for it.
  template <typename Logged>
  std::int64_t Now(Logged&& logged) {
    if (live_ != nullptr) {
      return live_->Monotonic().time_since_epoch().count();
    }
    if (const std::optional<std::int64_t> t = logged()) {
      last_ns_ = *t;
    }
    return last_ns_;
  }
  // Replay as history: the windows are at `ns` at least (a quiet stretch expires them).
  void AdvanceTo(std::int64_t ns) { last_ns_ = std::max(last_ns_, ns); }
  // The time for a scrape.
  std::int64_t Current() const {
    return live_ != nullptr ? live_->Monotonic().time_since_epoch().count() : last_ns_;
  }

 private:
  const Clock* live_;
  std::int64_t last_ns_ = 0;
};

// What one log is to its collector: lines in, series out. Called under FollowedLogs' lock.
class LogHandler {
 public:
  virtual ~LogHandler() = default;
  // One line, never empty (empty lines carry nothing).
  virtual void Line(std::string_view line, LogTime& time) = 0;
  // This log's series, labelled log=`log`.
  virtual void Export(MetricSink& sink, const std::string& log, std::int64_t now_ns) const = 0;
  // A reload kept this log: it goes on as configured log `config_index`.
  virtual void Kept(std::size_t /*config_index*/) {}
  // The lines that follow come from file `path` (one of those the log's glob matched).
  virtual void File(std::string_view /*path*/) {}
  // Replay as history: the line's own time (nanoseconds since the epoch), if it has one; the
  // line is handed to Line() afterwards, in time order with the other inputs.
  virtual std::optional<std::int64_t> LineTime(std::string_view line) = 0;
};

// The logs of a log collector: the configured ones followed on a thread of their own (files
// through inotify with a polling fallback, journals through sd-journal on the same rounds),
// replayed files (and journal files) read from their start, each fed line by line to the
// LogHandler made for it; the edgewatch_log_* health series of every log; one mutex between the
// follower and scrapes. A scrape never waits for a catch-up: the follower hands the mutex over
// at the next line boundary whenever a scrape is waiting for it (a 5.9 GB backlog once held
// scrapes for 8 s). Destroying it stops the thread, so a collector declares it after whatever
// its handlers use.
class FollowedLogs {
 public:
  // A handler for configured log `config_index`, or for a replayed file no configured log
  // stands for (nullopt).
  using MakeHandler =
      std::function<std::unique_ptr<LogHandler>(std::optional<std::size_t> config_index)>;

  // `trigger` paces the follower; null: inotify on the logs' directories, with
  // follow.poll_interval as the polling fallback. `journal_line`: what a journal entry is to
  // this collector's handlers.
  FollowedLogs(std::vector<LogSource> logs, const FollowConfig& follow, const Clock& clock,
               Logger logger, std::unique_ptr<io::FileChangeTrigger> trigger, MakeHandler make,
               io::JournalLine journal_line = io::JournalLine::kSyslog);
  ~FollowedLogs();

  Status Start();
  void Stop();
  // A reload that changed only the list of logs: follows `logs` from now on. A log with the name
  // and path of a running one goes on where it was, its handler kept (LogHandler::Kept); new ones
  // start at the end of their files; dropped ones go. Not with replayed files.
  void SetLogs(std::vector<LogSource> logs);
  // Replay: the file from its start, as a log named after the file, with the settings of the
  // configured log it stands for (see ConfiguredLogOf in the .cc). A journal file (sd-journal's
  // format, known by its signature) is read as a journal, with the entry filter of the
  // configured journal log it stands for.
  Status Replay(const std::string& path);
  // Replay as history: the file (or journal file) opened as Replay() would read it, read in its
  // lines' own time order.
  Expected<std::unique_ptr<ReplaySource>> OpenReplay(const std::string& path);
  Status Collect(MetricSink& sink) const;
  // True while a Collect() waits for the follower to hand over (for tests).
  bool ScrapeWaiting() const { return scrapes_waiting_.load(std::memory_order_relaxed) > 0; }

 private:
  struct Log {
    std::string name;
    std::unique_ptr<LogHandler> handler;
    LogTime time;
    std::uint64_t file_id = 0;  // of the last line (FileFollower's ids start at 1)
  };
  struct Source {
    std::unique_ptr<io::FileFollower> follower;
    std::size_t first_log = 0;  // the follower's log i is logs_[first_log + i]
  };
  struct Journal {
    std::unique_ptr<io::JournalReader> reader;
    std::size_t log = 0;  // logs_[log]
    LogSource config;     // empty for a replayed journal file
  };
  class Lines;
  class History;
  class TimedLines;

  io::JournalOptions JournalOptionsOf(const LogSource& log) const;
  // The reader of configured journal log `config_index`, as logs_'s next log.
  Journal NewJournal(std::size_t config_index);
  // Of the file logs and the journals: what the inotify trigger watches.
  std::vector<std::string> WatchedDirectories() const;
  // The log a replayed journal file is read as, and its reader, added to logs_ and journals_.
  Journal& AddReplayedJournal(const std::string& path, const std::string& name);
  // The log a replayed file is read as, and its follower (from its start), added to sources_.
  Source& AddReplayedFile(const std::string& path, const std::string& name,
                          std::size_t read_budget);
  void FollowLoop();
  // With `lock` (on mu_) held by the follower: lets waiting scrapes through, then takes it back.
  void YieldToScrapes(std::unique_lock<std::mutex>& lock);

  std::vector<LogSource> configured_;
  FollowConfig follow_;
  io::JournalLine journal_line_;
  const Clock& clock_;
  Logger logger_;
  MakeHandler make_;
  std::unique_ptr<io::FileChangeTrigger> trigger_;
  io::ChangeTrigger* change_trigger_ = nullptr;  // trigger_, when it is the inotify one
  std::atomic<bool> stopping_{false};

  // Held by the follower through a whole Poll(), which may hand mu_ to scrapes midway: what
  // changes the followers (SetLogs, Replay) takes it first.
  std::mutex poll_mu_;
  mutable std::mutex mu_;
  std::vector<Log> logs_;          // guarded by mu_
  std::vector<Source> sources_;    // guarded by mu_; [0] is the live one once started
  std::vector<Journal> journals_;  // guarded by mu_; live ones, then replayed ones
  mutable std::atomic<int> scrapes_waiting_{0};
  mutable std::mutex handover_mu_;
  mutable std::condition_variable handed_over_;  // scrapes_waiting_ fell, under handover_mu_
  std::thread thread_;
};

}  // namespace edgewatch
