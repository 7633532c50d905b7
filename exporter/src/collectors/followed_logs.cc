#include "collectors/followed_logs.h"

#include <filesystem>

#include "collectors/log_health.h"
#include "parsers/text/glob.h"

namespace edgewatch {

class FollowedLogs::Lines final : public io::LineSink {
 public:
  // `live`: the follower's lock on mu_, handed to scrapes between lines; null in replay.
  Lines(FollowedLogs& logs, std::size_t first_log, std::unique_lock<std::mutex>* live)
      : logs_(logs), first_(first_log), live_(live) {}

  void Line(std::size_t index, std::uint64_t file_id, std::string_view file,
            std::string_view line) override {
    if (live_ != nullptr && logs_.ScrapeWaiting()) {
      logs_.YieldToScrapes(*live_);
    }
    Log& log = logs_.logs_[first_ + index];
    if (file_id != log.file_id) {  // a glob's files take turns; rarely, per line
      log.file_id = file_id;
      log.handler->File(file);
    }
    if (!line.empty()) {
      log.handler->Line(line, log.time);
    }
  }

 private:
  FollowedLogs& logs_;
  std::size_t first_;
  std::unique_lock<std::mutex>* live_;
};

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

FollowedLogs::FollowedLogs(std::vector<io::FollowedLog> logs, const FollowConfig& follow,
                           const Clock& clock, Logger logger,
                           std::unique_ptr<io::FileChangeTrigger> trigger, MakeHandler make)
    : configured_(std::move(logs)),
      follow_(follow),
      clock_(clock),
      logger_(std::move(logger)),
      make_(std::move(make)),
      trigger_(std::move(trigger)) {}

FollowedLogs::~FollowedLogs() { Stop(); }

Status FollowedLogs::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Source source{nullptr, logs_.size()};
    for (std::size_t i = 0; i < configured_.size(); ++i) {
      logs_.push_back({configured_[i].name, make_(i), LogTime(&clock_), {}});
    }
    source.follower =
        std::make_unique<io::FileFollower>(configured_, Options(follow_, false), clock_, logger_);
    if (!trigger_) {
      auto trigger = std::make_unique<io::ChangeTrigger>(source.follower->Directories(),
                                                         follow_.poll_interval, clock_);
      change_trigger_ = trigger.get();
      trigger_ = std::move(trigger);
    }
    sources_.insert(sources_.begin(), std::move(source));
  }
  thread_ = std::thread([this] { FollowLoop(); });
  return {};
}

void FollowedLogs::SetLogs(std::vector<io::FollowedLog> logs) {
  std::lock_guard<std::mutex> polling(poll_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  io::FileFollower& follower = *sources_[0].follower;
  const std::vector<int> from = follower.SetLogs(logs);
  // Only the live follower's logs exist while serving (replay does not reload).
  auto old = std::exchange(logs_, {});
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i] >= 0) {
      logs_.push_back(std::move(old[static_cast<std::size_t>(from[i])]));
      logs_.back().name = logs[i].name;
      logs_.back().handler->Kept(i);
    } else {
      logs_.push_back({logs[i].name, make_(i), LogTime(&clock_), {}});
    }
  }
  configured_ = std::move(logs);
  if (change_trigger_ != nullptr) {
    change_trigger_->Watch(follower.Directories());
  }
}

void FollowedLogs::FollowLoop() {
  bool more = false;
  while (!stopping_) {
    {
      std::lock_guard<std::mutex> polling(poll_mu_);
      std::unique_lock<std::mutex> lock(mu_);
      Lines lines(*this, sources_[0].first_log, &lock);
      // Rounds that catch up without waiting read every file: what was written meanwhile is
      // not in the trigger's list.
      more = sources_[0].follower->Poll(lines, more ? nullptr : trigger_->WrittenOnly());
    }
    if (!more && !trigger_->Wait()) {
      break;
    }
  }
}

void FollowedLogs::YieldToScrapes(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  {
    std::unique_lock<std::mutex> handover(handover_mu_);
    handed_over_.wait(handover, [this] { return !ScrapeWaiting(); });
  }
  lock.lock();  // after the scrapes that were waiting: each took mu_ before it stopped waiting
}

void FollowedLogs::Stop() {
  stopping_ = true;
  if (trigger_) {
    trigger_->Stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

namespace {

// The configured log a replayed file stands for, so that it is read with that log's settings
// (format, site from the file name): the first whose glob matches the file's path, else whose
// glob's last part matches the file's name (a copy taken elsewhere), else whose name is the
// file's name without its extension. None: the handler's defaults (formats detected per line).
std::optional<std::size_t> ConfiguredLogOf(const std::vector<io::FollowedLog>& logs,
                                           const std::filesystem::path& file) {
  const auto find = [&](auto&& matches) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < logs.size(); ++i) {
      if (matches(logs[i])) {
        return i;
      }
    }
    return std::nullopt;
  };
  if (auto i = find(
          [&](const io::FollowedLog& l) { return text::GlobMatch(l.pattern, file.string()); })) {
    return i;
  }
  if (auto i = find([&](const io::FollowedLog& l) {
        return text::GlobMatch(std::filesystem::path(l.pattern).filename().string(),
                               file.filename().string());
      })) {
    return i;
  }
  return find([&](const io::FollowedLog& l) { return l.name == file.stem().string(); });
}

}  // namespace

Status FollowedLogs::Replay(const std::string& path) {
  std::lock_guard<std::mutex> polling(poll_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (!std::filesystem::is_regular_file(path)) {
    return Error{"cannot read " + path + ": not a regular file"};
  }
  const std::string name = std::filesystem::path(path).filename().string();
  Source source{std::make_unique<io::FileFollower>(std::vector<io::FollowedLog>{{name, path}},
                                                   Options(follow_, true), clock_, logger_),
                logs_.size()};
  logs_.push_back({name, make_(ConfiguredLogOf(configured_, path)), LogTime(nullptr), {}});
  Lines lines(*this, source.first_log, nullptr);
  while (source.follower->Poll(lines)) {
  }
  source.follower->Flush(lines);
  sources_.push_back(std::move(source));
  return {};
}

Status FollowedLogs::Collect(MetricSink& sink) const {
  scrapes_waiting_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  {
    std::lock_guard<std::mutex> handover(handover_mu_);
    scrapes_waiting_.fetch_sub(1);
  }
  handed_over_.notify_all();
  for (const auto& source : sources_) {
    for (std::size_t i = 0; i < source.follower->size(); ++i) {
      ExportLogHealth(sink, logs_[source.first_log + i].name, source.follower->Health(i));
    }
  }
  for (const auto& log : logs_) {
    log.handler->Export(sink, log.name, log.time.Current());
  }
  return {};
}

}  // namespace edgewatch
