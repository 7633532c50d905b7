#include "io/file_follower.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "parsers/text/line_splitter.h"

namespace edgewatch::io {
namespace {

// Bytes per read(2), behind an unfinished line of up to max_line.
constexpr std::size_t kChunk = 256 * 1024;
// Closed files whose read offset is remembered, per log: a directory moved away for longer
// than rotate_wait and back is then not read again from the start.
constexpr std::size_t kRemembered = 16;

bool HasGlob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// The directory of a path or pattern, as watched.
std::string DirectoryOf(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos
             ? "."
             : std::string(path.substr(0, std::max<std::size_t>(slash, 1)));
}

// How a ChangeTrigger watching DirectoryOf(path) names the file.
std::string WatchedAs(std::string_view path) {
  const auto slash = path.rfind('/');
  return DirectoryOf(path) + "/" +
         std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The paths `pattern` names now; a directory the glob cannot read is reported in `error`.
std::vector<std::string> Expand(const std::string& pattern, std::string& error) {
  if (!HasGlob(pattern)) {
    return {pattern};
  }
  std::vector<std::string> out;
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  if (rc == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      out.emplace_back(g.gl_pathv[i]);
    }
  } else if (rc == GLOB_ABORTED) {
    error = "cannot read the directories of " + pattern + ": " + std::strerror(errno);
  }
  ::globfree(&g);
  return out;
}

// Hands a line of log `index` from file `id` at `path` on, counted in its health.
auto Counted(LogHealth& health, LineSink& sink, std::size_t index, std::uint64_t id,
             std::string_view path) {
  return [&health, &sink, index, id, path](std::string_view line, bool cut) {
    health.long_lines += cut ? 1 : 0;
    ++health.lines;
    sink.Line(index, id, path, line);
  };
}

}  // namespace

// Bytes at the start of a file that tell a rewrite from an append: an append-only log never
// changes them, a copytruncate and refill (or any rewrite) does.
constexpr std::size_t kPrefix = 256;

struct FileFollower::File {
  std::uint64_t id = 0;  // unique among this follower's files
  std::string path;
  std::string watched_as;  // WatchedAs(path)
  UniqueFd fd;
  dev_t dev = 0;
  ino_t ino = 0;
  std::uint64_t offset = 0;
  std::unique_ptr<text::LineSplitter> lines;
  bool rotated = false;  // renamed away, replaced or deleted: drained, then closed
  bool seen = false;     // matched by the pattern this round
  Clock::MonotonicTime last_change{};
  std::array<char, kPrefix> prefix{};  // the file's first prefix_len bytes, as last seen
  std::size_t prefix_len = 0;
};

struct FileFollower::Log {
  struct Closed {
    dev_t dev;
    ino_t ino;
    std::uint64_t offset;
  };

  FollowedLog config;
  std::vector<std::unique_ptr<File>> files;
  LogHealth health;
  std::string last_error;
  std::vector<Closed> closed;  // the last kRemembered closed files
  bool warned_too_many = false;
  bool warned_missing = false;
  bool started = false;  // its first Poll() has run
};

FileFollower::FileFollower(std::vector<FollowedLog> logs, FollowerOptions options,
                           const Clock& clock, Logger logger)
    : options_(options), clock_(clock), logger_(std::move(logger)) {
  for (auto& l : logs) {
    auto log = std::make_unique<Log>();
    log->config = std::move(l);
    logs_.push_back(std::move(log));
  }
}

FileFollower::~FileFollower() = default;

const LogHealth& FileFollower::Health(std::size_t log) const { return logs_[log]->health; }

std::vector<std::string> FileFollower::Directories() const {
  std::vector<std::string> out;
  for (const auto& log : logs_) {
    std::string dir = DirectoryOf(log->config.pattern);
    if (!HasGlob(dir) && std::find(out.begin(), out.end(), dir) == out.end()) {
      out.push_back(std::move(dir));
    }
  }
  return out;
}

bool FileFollower::Poll(LineSink& sink, const std::vector<std::string>* written_only) {
  const auto deleted = [](const File& file) {
    struct stat st {};
    return ::fstat(file.fd.get(), &st) != 0 || st.st_nlink == 0;
  };
  bool more = false;
  for (std::size_t i = 0; i < logs_.size(); ++i) {
    Log& log = *logs_[i];
    // A log's first round looks for its files whatever the trigger says.
    const bool everything = written_only == nullptr || !log.started;
    const auto written = [&](const File& file) {
      return everything ||
             std::binary_search(written_only->begin(), written_only->end(), file.watched_as);
    };
    if (everything) {
      Discover(log);
    }
    // What a rotated file still holds comes before its successor's lines. Rotated files are read
    // every round: writes to them show under a name outside the pattern.
    for (auto& file : log.files) {
      if (file->rotated) {
        Read(log, i, *file, more, sink);
      }
    }
    for (auto& file : log.files) {
      if (!file->rotated && written(*file)) {
        Read(log, i, *file, more, sink);
      }
    }
    const auto now = clock_.Monotonic();
    for (std::size_t f = 0; f < log.files.size();) {
      File& file = *log.files[f];
      if (file.rotated && (now - file.last_change >= options_.rotate_wait || deleted(file))) {
        Close(log, i, file, sink);
        log.files.erase(log.files.begin() + static_cast<std::ptrdiff_t>(f));
      } else {
        ++f;
      }
    }
    log.health.open_files = static_cast<std::size_t>(std::count_if(
        log.files.begin(), log.files.end(), [](const auto& f) { return !f->rotated; }));
    log.started = true;
  }
  return more;
}

std::vector<int> FileFollower::SetLogs(std::vector<FollowedLog> logs) {
  std::vector<std::unique_ptr<Log>> next;
  std::vector<int> from;
  for (auto& l : logs) {
    auto same = std::find_if(logs_.begin(), logs_.end(), [&](const auto& old) {
      return old && old->config.name == l.name && old->config.pattern == l.pattern;
    });
    if (same != logs_.end()) {
      from.push_back(static_cast<int>(same - logs_.begin()));
      next.push_back(std::move(*same));
    } else {
      from.push_back(-1);
      next.push_back(std::make_unique<Log>());
      next.back()->config = std::move(l);
    }
  }
  logs_ = std::move(next);
  return from;
}

void FileFollower::Discover(Log& log) {
  for (auto& file : log.files) {
    file->seen = false;
  }
  std::size_t current = static_cast<std::size_t>(
      std::count_if(log.files.begin(), log.files.end(), [](const auto& f) { return !f->rotated; }));
  std::string unreadable;
  for (const auto& path : Expand(log.config.pattern, unreadable)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno != ENOENT) {  // e.g. a directory on the way edgewatch may not enter
        NoteError(log, "cannot follow " + path + ": " + std::strerror(errno));
      }
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      // A directory a glob matches is no log; a FIFO or device (or a link to one) named as one
      // would block or never end: say so rather than show log_up 0 with no reason.
      if (!(S_ISDIR(st.st_mode) && HasGlob(log.config.pattern))) {
        NoteError(log,
                  "cannot follow " + path + ": not a regular file (a FIFO, device or directory)");
      }
      continue;
    }
    auto known = std::find_if(log.files.begin(), log.files.end(), [&](const auto& f) {
      return f->dev == st.st_dev && f->ino == st.st_ino;
    });
    if (known != log.files.end()) {  // the same file, maybe renamed within the pattern
      File& f = **known;
      if (f.path != path) {
        f.path = path;
        f.watched_as = WatchedAs(path);
      }
      f.seen = true;
      if (f.rotated) {  // back (its directory was moved away and back)
        f.rotated = false;
        ++current;
      }
      continue;
    }
    if (current >= options_.max_files) {
      if (!log.warned_too_many) {
        logger_.Warn("too many files match; ignoring the rest",
                     {{"log", log.config.name}, {"path", path}});
        log.warned_too_many = true;
      }
      continue;
    }
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
      NoteError(log, std::string("cannot open ") + path + ": " + std::strerror(errno));
      if (!log.started && !options_.from_start) {
        // There at start but unreadable: once readable, it goes on from where it was now, so
        // its history is not counted as new traffic.
        Remember(log, st.st_dev, st.st_ino, static_cast<std::uint64_t>(st.st_size));
      }
      continue;
    }
    log.last_error.clear();
    auto file = std::make_unique<File>();
    file->id = ++files_opened_;
    file->path = path;
    file->watched_as = WatchedAs(path);
    file->dev = st.st_dev;
    file->ino = st.st_ino;
    file->fd = std::move(fd);
    // Files there at start are followed from their end; later ones (rotation, new matches) and
    // everything in a replay from their start.
    file->offset = log.started || options_.from_start ? 0 : static_cast<std::uint64_t>(st.st_size);
    for (const auto& c : log.closed) {
      if (c.dev == st.st_dev && c.ino == st.st_ino &&
          c.offset <= static_cast<std::uint64_t>(st.st_size)) {
        file->offset = c.offset;
      }
    }
    file->lines = std::make_unique<text::LineSplitter>(options_.max_line, kChunk);
    SamePrefix(*file, static_cast<std::uint64_t>(st.st_size));
    file->seen = true;
    file->last_change = clock_.Monotonic();
    log.files.push_back(std::move(file));
    ++current;
  }
  if (!unreadable.empty()) {
    NoteError(log, unreadable);
  } else if (!log.started && log.files.empty() && !log.warned_missing) {
    // A typo in the path looks like a quiet log: say which part is missing, once.
    const std::filesystem::path pattern(log.config.pattern);
    const std::string dir = pattern.parent_path().string();
    struct stat st {};
    const std::string reason =
        HasGlob(dir) || (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            ? "no file in " + dir + " matches " + pattern.filename().string()
            : "directory " + dir + " does not exist";
    logger_.Warn("no file matches the log's path; edgewatch_log_files stays 0 until one does",
                 {{"log", log.config.name}, {"path", log.config.pattern}, {"reason", reason}});
    log.warned_missing = true;
  }
  for (auto& file : log.files) {
    if (!file->seen && !file->rotated) {
      file->rotated = true;
      file->last_change = clock_.Monotonic();
      ++log.health.rotations;
    }
  }
}

// Whether `file` still starts with the bytes it started with; takes them when it has more now.
bool FileFollower::SamePrefix(File& file, std::uint64_t size) {
  std::array<char, kPrefix> now{};
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, kPrefix));
  const ssize_t n = want == 0 ? 0 : ::pread(file.fd.get(), now.data(), want, 0);
  if (n < 0) {
    return true;  // the read below reports the error
  }
  const auto got = static_cast<std::size_t>(n);
  const std::size_t common = std::min(got, file.prefix_len);
  if (std::memcmp(now.data(), file.prefix.data(), common) != 0) {
    return false;
  }
  if (got > file.prefix_len) {
    std::memcpy(file.prefix.data(), now.data(), got);
    file.prefix_len = got;
  }
  return true;
}

void FileFollower::Read(Log& log, std::size_t index, File& file, bool& more, LineSink& sink) {
  if (!file.rotated) {
    struct stat st {};
    if (::fstat(file.fd.get(), &st) == 0) {
      const auto size = static_cast<std::uint64_t>(st.st_size);
      const bool rewritten = !SamePrefix(file, size);
      if (rewritten || size < file.offset) {
        ++log.health.truncations;
        // Rewritten (copytruncate, even one refilled past where we were): read it all again.
        // Cut short but the same file: go on from its new end, not from 0 (nothing is new).
        file.offset = rewritten ? 0 : size;
        file.lines->Reset();
        // What stays of the start is the start from now on (all of it, after a rewrite).
        file.prefix_len = rewritten ? 0 : std::min<std::size_t>(file.prefix_len, size);
        SamePrefix(file, size);
      }
    }
  }
  std::size_t budget = options_.read_budget;
  while (budget > 0) {
    const std::span<char> area = file.lines->WriteArea();
    const ssize_t n = ::pread(file.fd.get(), area.data(), std::min(area.size(), budget),
                              static_cast<off_t>(file.offset));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      NoteError(log, std::string("cannot read ") + file.path + ": " + std::strerror(errno));
      return;
    }
    if (n == 0) {
      return;
    }
    const auto got = static_cast<std::size_t>(n);
    file.offset += got;
    log.health.bytes += got;
    budget -= std::min(budget, got);
    file.last_change = clock_.Monotonic();
    file.lines->Commit(got, Counted(log.health, sink, index, file.id, file.path));
  }
  more = true;
}

void FileFollower::Close(Log& log, std::size_t index, File& file, LineSink& sink) {
  FlushFile(log, index, file, sink);  // its last line will never get a newline now
  Remember(log, file.dev, file.ino, file.offset);
}

void FileFollower::Remember(Log& log, dev_t dev, ino_t ino, std::uint64_t offset) {
  if (log.closed.size() == kRemembered) {
    log.closed.erase(log.closed.begin());
  }
  log.closed.push_back({dev, ino, offset});
}

void FileFollower::NoteError(Log& log, std::string error) {
  if (error != log.last_error) {
    ++log.health.read_errors;
    logger_.Warn("cannot follow log file", {{"log", log.config.name}, {"err", error}});
    log.last_error = std::move(error);
  }
}

void FileFollower::FlushFile(Log& log, std::size_t index, File& file, LineSink& sink) {
  file.lines->Finish(Counted(log.health, sink, index, file.id, file.path));
}

void FileFollower::Flush(LineSink& sink) {
  for (std::size_t i = 0; i < logs_.size(); ++i) {
    for (auto& file : logs_[i]->files) {
      FlushFile(*logs_[i], i, *file, sink);
    }
  }
}

}  // namespace edgewatch::io
