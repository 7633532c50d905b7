#include "collectors/followed_logs.h"

#include <filesystem>

#include "collectors/log_health.h"

namespace edgewatch {

struct FollowedLogsCollector::Source {
  std::unique_ptr<io::FileFollower> follower;
  std::size_t first_log = 0;  // the follower's log i is log first_log + i
};

class FollowedLogsCollector::Lines final : public io::LineSink {
 public:
  Lines(FollowedLogsCollector& c, std::size_t first_log) : c_(c), first_(first_log) {}

  void Line(std::size_t index, std::string_view line) override {
    if (!line.empty()) {  // an empty line carries nothing, and is not malformed
      c_.Line(first_ + index, line);
    }
  }

 private:
  FollowedLogsCollector& c_;
  std::size_t first_;
};

FollowedLogsCollector::FollowedLogsCollector(std::vector<io::FollowedLog> logs,
                                             const FollowConfig& follow, InputKind kind,
                                             const Clock& clock, Logger logger,
                                             std::unique_ptr<Trigger> trigger)
    : clock_(clock),
      logger_(std::move(logger)),
      configured_(std::move(logs)),
      follow_(follow),
      kind_(kind),
      trigger_(std::move(trigger)) {}

FollowedLogsCollector::~FollowedLogsCollector() { Stop(); }

namespace {

io::FollowerOptions Options(const FollowConfig& c, bool from_start) {
  io::FollowerOptions o;
  o.max_line = c.max_line_length;
  o.max_files = c.max_files;
  o.rotate_wait = c.rotate_wait;
  o.from_start = from_start;
  return o;
}

}  // namespace

Status FollowedLogsCollector::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto source = std::make_unique<Source>();
    source->first_log = names_.size();
    for (std::size_t i = 0; i < configured_.size(); ++i) {
      AddLog(static_cast<int>(i));
      names_.push_back(configured_[i].name);
    }
    source->follower =
        std::make_unique<io::FileFollower>(configured_, Options(follow_, false), clock_, logger_);
    if (!trigger_) {
      auto trigger = std::make_unique<io::ChangeTrigger>(source->follower->Directories(),
                                                         follow_.poll_interval, clock_);
      change_trigger_ = trigger.get();
      trigger_ = std::move(trigger);
    }
    sources_.insert(sources_.begin(), std::move(source));
  }
  thread_ = std::thread([this] { FollowLoop(); });
  return {};
}

void FollowedLogsCollector::SetLogs(std::vector<io::FollowedLog> logs) {
  std::lock_guard<std::mutex> lock(mu_);
  io::FileFollower& follower = *sources_[0]->follower;
  const std::vector<int> from = follower.SetLogs(logs);
  names_.clear();
  for (const auto& l : logs) {
    names_.push_back(l.name);
  }
  configured_ = std::move(logs);
  KeepLogs(from);
  if (change_trigger_ != nullptr) {
    change_trigger_->Watch(follower.Directories());
  }
}

void FollowedLogsCollector::FollowLoop() {
  bool more = false;
  while (!stopping_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      Lines lines(*this, sources_[0]->first_log);
      // Rounds that catch up without waiting read every file: what was written meanwhile is
      // not in the trigger's list.
      more = sources_[0]->follower->Poll(lines, more ? nullptr : trigger_->WrittenOnly());
    }
    if (!more && !trigger_->Wait()) {
      break;
    }
  }
}

void FollowedLogsCollector::Stop() {
  stopping_ = true;
  if (trigger_) {
    trigger_->Stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status FollowedLogsCollector::Replay(InputKind /*kind*/, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!std::filesystem::is_regular_file(path)) {
    return Error{"cannot read " + path + ": not a regular file"};
  }
  auto source = std::make_unique<Source>();
  source->first_log = names_.size();
  const std::string name = std::filesystem::path(path).filename().string();
  AddLog(-1);
  names_.push_back(name);
  source->follower = std::make_unique<io::FileFollower>(std::vector<io::FollowedLog>{{name, path}},
                                                        Options(follow_, true), clock_, logger_);
  Lines lines(*this, source->first_log);
  while (source->follower->Poll(lines)) {
  }
  source->follower->Flush(lines);
  sources_.push_back(std::move(source));
  return {};
}

Status FollowedLogsCollector::Collect(MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& source : sources_) {
    for (std::size_t i = 0; i < source->follower->size(); ++i) {
      ExportLogHealth(sink, names_[source->first_log + i], source->follower->Health(i));
    }
  }
  ExportLogs(sink);
  return {};
}

}  // namespace edgewatch
