#include "collectors/followed_logs.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

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

FollowedLogs::FollowedLogs(std::vector<LogSource> logs, const FollowConfig& follow,
                           const Clock& clock, Logger logger,
                           std::unique_ptr<io::FileChangeTrigger> trigger, MakeHandler make,
                           io::JournalLine journal_line)
    : configured_(std::move(logs)),
      follow_(follow),
      journal_line_(journal_line),
      clock_(clock),
      logger_(std::move(logger)),
      make_(std::move(make)),
      trigger_(std::move(trigger)) {}

FollowedLogs::~FollowedLogs() { Stop(); }

namespace {

// The file logs among `logs`, as the follower takes them, and their indices in `logs`.
std::vector<io::FollowedLog> FileLogs(const std::vector<LogSource>& logs,
                                      std::vector<std::size_t>* config_index = nullptr) {
  std::vector<io::FollowedLog> files;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    if (!logs[i].journal) {
      files.push_back({logs[i].name, logs[i].path});
      if (config_index != nullptr) {
        config_index->push_back(i);
      }
    }
  }
  return files;
}

// Where a journal log keeps its cursor when the config names no file: systemd's StateDirectory
// (the unit's /var/lib/edgewatch), else that directory.
std::string DefaultCursorFile(const std::string& log) {
  const char* state = std::getenv("STATE_DIRECTORY");  // may list several, ':'-separated
  std::string dir = state != nullptr && *state != '\0' ? state : "/var/lib/edgewatch";
  dir = dir.substr(0, dir.find(':'));
  std::string file = log;
  std::replace(file.begin(), file.end(), '/', '_');
  return dir + "/" + file + ".journal-cursor";
}

}  // namespace

io::JournalOptions FollowedLogs::JournalOptionsOf(const LogSource& log) const {
  io::JournalOptions o;
  o.name = log.name;
  if (log.journal) {
    o.directory = log.journal->directory;
    o.identifiers = log.journal->identifiers;
    o.units = log.journal->units;
    o.cursor_file =
        log.journal->cursor_file.empty() ? DefaultCursorFile(log.name) : log.journal->cursor_file;
  }
  o.line = journal_line_;
  o.max_line = follow_.max_line_length;
  return o;
}

FollowedLogs::Journal FollowedLogs::NewJournal(std::size_t config_index) {
  const LogSource& config = configured_[config_index];
  Journal j{std::make_unique<io::JournalReader>(JournalOptionsOf(config), clock_, logger_),
            logs_.size(), config};
  logs_.push_back({config.name, make_(config_index), LogTime(&clock_), {}});
  return j;
}

std::vector<std::string> FollowedLogs::WatchedDirectories() const {
  std::vector<std::string> dirs = sources_[0].follower->Directories();
  for (const auto& j : journals_) {
    const auto more = j.reader->Directories();
    dirs.insert(dirs.end(), more.begin(), more.end());
  }
  return dirs;
}

Status FollowedLogs::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::size_t> file_index;
    const std::vector<io::FollowedLog> files = FileLogs(configured_, &file_index);
    Source source{nullptr, logs_.size()};
    for (const std::size_t i : file_index) {
      logs_.push_back({configured_[i].name, make_(i), LogTime(&clock_), {}});
    }
    source.follower =
        std::make_unique<io::FileFollower>(files, Options(follow_, false), clock_, logger_);
    sources_.insert(sources_.begin(), std::move(source));
    for (std::size_t i = 0; i < configured_.size(); ++i) {
      if (configured_[i].journal) {
        journals_.push_back(NewJournal(i));
      }
    }
    if (!trigger_) {
      auto trigger =
          std::make_unique<io::ChangeTrigger>(WatchedDirectories(), follow_.poll_interval, clock_);
      change_trigger_ = trigger.get();
      trigger_ = std::move(trigger);
    }
  }
  thread_ = std::thread([this] { FollowLoop(); });
  return {};
}

void FollowedLogs::SetLogs(std::vector<LogSource> logs) {
  std::lock_guard<std::mutex> polling(poll_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::size_t> file_index;
  const std::vector<int> from = sources_[0].follower->SetLogs(FileLogs(logs, &file_index));
  // Only the live logs exist while serving (replay does not reload): files first, then journals.
  auto old = std::exchange(logs_, {});
  auto old_journals = std::exchange(journals_, {});
  configured_ = std::move(logs);
  for (std::size_t k = 0; k < from.size(); ++k) {
    const std::size_t i = file_index[k];
    if (from[k] >= 0) {
      logs_.push_back(std::move(old[static_cast<std::size_t>(from[k])]));
      logs_.back().name = configured_[i].name;
      logs_.back().handler->Kept(i);
    } else {
      logs_.push_back({configured_[i].name, make_(i), LogTime(&clock_), {}});
    }
  }
  for (std::size_t i = 0; i < configured_.size(); ++i) {
    if (!configured_[i].journal) {
      continue;
    }
    auto same = std::find_if(old_journals.begin(), old_journals.end(), [&](const Journal& j) {
      return j.reader && j.config == configured_[i];
    });
    if (same == old_journals.end()) {
      journals_.push_back(NewJournal(i));
      continue;
    }
    journals_.push_back({std::move(same->reader), logs_.size(), configured_[i]});
    logs_.push_back(std::move(old[same->log]));
    logs_.back().handler->Kept(i);
  }
  if (change_trigger_ != nullptr) {
    change_trigger_->Watch(WatchedDirectories());
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
      for (auto& j : journals_) {
        Lines entries(*this, j.log, &lock);
        more = j.reader->Poll(entries, 0) || more;
      }
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
std::optional<std::size_t> ConfiguredLogOf(const std::vector<LogSource>& logs,
                                           const std::filesystem::path& file) {
  const auto find = [&](auto&& matches) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < logs.size(); ++i) {
      if (matches(logs[i])) {
        return i;
      }
    }
    return std::nullopt;
  };
  if (auto i = find([&](const LogSource& l) { return text::GlobMatch(l.path, file.string()); })) {
    return i;
  }
  if (auto i = find([&](const LogSource& l) {
        return text::GlobMatch(std::filesystem::path(l.path).filename().string(),
                               file.filename().string());
      })) {
    return i;
  }
  return find([&](const LogSource& l) { return l.name == file.stem().string(); });
}

// True for a file in sd-journal's format (its header's signature).
bool IsJournalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, sizeof signature);
  return in && std::string_view(signature, sizeof signature) == "LPKSHHRH";
}

}  // namespace

FollowedLogs::Journal& FollowedLogs::AddReplayedJournal(const std::string& path,
                                                        const std::string& name) {
  // The configured journal log it stands for gives the entry filter and the handler's settings:
  // the one ConfiguredLogOf names, else the first.
  std::optional<std::size_t> config = ConfiguredLogOf(configured_, path);
  if (!config || !configured_[*config].journal) {
    config.reset();
    for (std::size_t i = 0; i < configured_.size() && !config; ++i) {
      if (configured_[i].journal) {
        config = i;
      }
    }
  }
  LogSource source{name, {}, {}};
  if (config) {
    source.journal = configured_[*config].journal;
  }
  io::JournalOptions o = JournalOptionsOf(source);
  o.files = {path};
  o.directory.clear();
  o.cursor_file.clear();
  o.from_start = true;
  journals_.push_back(
      {std::make_unique<io::JournalReader>(std::move(o), clock_, logger_), logs_.size(), {}});
  logs_.push_back({name, make_(config), LogTime(nullptr), {}});
  return journals_.back();
}

FollowedLogs::Source& FollowedLogs::AddReplayedFile(const std::string& path,
                                                    const std::string& name,
                                                    std::size_t read_budget) {
  io::FollowerOptions o = Options(follow_, true);
  o.read_budget = read_budget;
  sources_.push_back({std::make_unique<io::FileFollower>(std::vector<io::FollowedLog>{{name, path}},
                                                         o, clock_, logger_),
                      logs_.size()});
  logs_.push_back({name, make_(ConfiguredLogOf(configured_, path)), LogTime(nullptr), {}});
  return sources_.back();
}

namespace {

Status CheckReplayed(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    return Error{"cannot read " + path + ": not a regular file"};
  }
  return {};
}

Status JournalOpened(const io::JournalReader& reader, const std::string& path) {
  if (reader.Health().log.open_files == 0) {
    return Error{"cannot read " + path + " as a journal file (see the log)"};
  }
  return {};
}

}  // namespace

Status FollowedLogs::Replay(const std::string& path) {
  std::lock_guard<std::mutex> polling(poll_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckReplayed(path); !s) {
    return s;
  }
  const std::string name = std::filesystem::path(path).filename().string();
  if (IsJournalFile(path)) {
    Journal& j = AddReplayedJournal(path, name);
    Lines lines(*this, j.log, nullptr);
    while (j.reader->Poll(lines, 0)) {
    }
    return JournalOpened(*j.reader, path);
  }
  Source& source = AddReplayedFile(path, name, io::FollowerOptions().read_budget);
  Lines lines(*this, source.first_log, nullptr);
  while (source.follower->Poll(lines)) {
  }
  source.follower->Flush(lines);
  return {};
}

// The lines a file follower hands on, with their times, queued for a history replay to take in
// time order: one buffer and one index, reused, at most a read budget of them at a time.
class FollowedLogs::TimedLines final : public io::LineSink {
 public:
  explicit TimedLines(LogHandler& handler) : handler_(handler) {}

  void Line(std::size_t /*log*/, std::uint64_t /*file_id*/, std::string_view /*file*/,
            std::string_view line) override {
    if (line.empty()) {
      return;
    }
    // A line without a time of its own keeps its place: the time of the line before it.
    if (const auto t = handler_.LineTime(line)) {
      last_ = *t;
    }
    queue_.push_back({text_.size(), line.size(), last_});
    text_.append(line);
  }

  bool empty() const { return next_ == queue_.size(); }
  std::int64_t front_time() const { return queue_[next_].time; }
  std::string_view Pop() {
    const Entry& e = queue_[next_++];
    const std::string_view line(text_.data() + e.offset, e.size);
    return line;
  }
  // Once the queue is empty: its memory is reused for the next read.
  void Reset() {
    queue_.clear();
    text_.clear();
    next_ = 0;
  }

 private:
  struct Entry {
    std::size_t offset;
    std::size_t size;
    std::int64_t time;
  };
  LogHandler& handler_;
  std::string text_;
  std::vector<Entry> queue_;
  std::size_t next_ = 0;
  std::int64_t last_ = std::numeric_limits<std::int64_t>::min();
};

// A replayed file or journal file read in its own time order.
class FollowedLogs::History final : public ReplaySource {
 public:
  // `follower`: the file's; `journal`: the journal file's reader (one of the two).
  History(FollowedLogs& logs, std::size_t log, io::FileFollower* follower,
          io::JournalReader* journal)
      : logs_(logs),
        log_(log),
        follower_(follower),
        journal_(journal),
        queued_(*logs.logs_[log].handler) {}

  std::optional<std::int64_t> NextTime() override {
    if (journal_ != nullptr) {
      const auto usec = journal_->NextTimeUsec();
      return usec ? std::optional<std::int64_t>(*usec * 1000) : std::nullopt;
    }
    Fill();
    return queued_.empty() ? std::nullopt : std::optional<std::int64_t>(queued_.front_time());
  }

  Status ReadUntil(std::int64_t until_ns) override {
    Log& log = logs_.logs_[log_];
    if (journal_ != nullptr) {
      Lines lines(logs_, log_, nullptr);
      // Entries received up to the limit, in microseconds as the journal keeps them.
      const std::int64_t until_usec = until_ns / 1000;
      while (journal_->Poll(lines, 0, until_usec)) {
      }
    } else {
      for (Fill(); !queued_.empty() && queued_.front_time() <= until_ns; Fill()) {
        log.handler->Line(queued_.Pop(), log.time);
      }
    }
    log.time.AdvanceTo(until_ns);
    return {};
  }

 private:
  // Reads the next lines of the file when none are queued.
  void Fill() {
    if (!queued_.empty() || ended_) {
      return;
    }
    queued_.Reset();
    while (queued_.empty()) {
      if (!follower_->Poll(queued_)) {  // read to its end: its unterminated last line too
        follower_->Flush(queued_);
        ended_ = queued_.empty();
        return;
      }
    }
  }

  FollowedLogs& logs_;
  std::size_t log_;
  io::FileFollower* follower_;
  io::JournalReader* journal_;
  TimedLines queued_;
  bool ended_ = false;
};

Expected<std::unique_ptr<ReplaySource>> FollowedLogs::OpenReplay(const std::string& path) {
  std::lock_guard<std::mutex> polling(poll_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckReplayed(path); !s) {
    return s.error();
  }
  const std::string name = std::filesystem::path(path).filename().string();
  if (IsJournalFile(path)) {
    Journal& j = AddReplayedJournal(path, name);
    j.reader->NextTimeUsec();  // opens it
    if (Status s = JournalOpened(*j.reader, path); !s) {
      return s.error();
    }
    return std::unique_ptr<ReplaySource>(
        std::make_unique<History>(*this, j.log, nullptr, j.reader.get()));
  }
  // A small read budget: what one read queues is held until its time comes.
  Source& source = AddReplayedFile(path, name, 64 << 10);
  logs_[source.first_log].handler->File(path);
  return std::unique_ptr<ReplaySource>(
      std::make_unique<History>(*this, source.first_log, source.follower.get(), nullptr));
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
  for (const auto& j : journals_) {
    ExportJournalHealth(sink, logs_[j.log].name, j.reader->Health());
  }
  for (const auto& log : logs_) {
    log.handler->Export(sink, log.name, log.time.Current());
  }
  return {};
}

}  // namespace edgewatch
