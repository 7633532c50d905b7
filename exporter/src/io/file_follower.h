#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/logger.h"
#include "io/unique_fd.h"

namespace edgewatch::io {

// A named log: a path or a glob (every matching file is followed).
struct FollowedLog {
  std::string name;
  std::string pattern;
};

struct FollowerOptions {
  // Longer lines are cut to this many bytes (the rest dropped) and counted.
  std::size_t max_line = 64 * 1024;
  // Files followed per log at most; further matches are ignored and logged.
  std::size_t max_files = 64;
  // Replay reads existing files from the start; live following starts at their end.
  bool from_start = false;
  // How long a file renamed away or replaced is still read: writers such as Apache keep writing
  // to the old file until they are told to reopen their logs.
  std::chrono::milliseconds rotate_wait{30'000};
  // Bytes read from one file per Poll(), so one busy file cannot hold the others up.
  std::size_t read_budget = 4 << 20;
};

// Per log, since start.
struct LogHealth {
  std::uint64_t lines = 0;        // complete lines handed on, cut lines included
  std::uint64_t bytes = 0;        // bytes read
  std::uint64_t rotations = 0;    // files renamed away, replaced or deleted
  std::uint64_t truncations = 0;  // files that got shorter (copytruncate)
  std::uint64_t long_lines = 0;   // lines cut to max_line
  std::uint64_t read_errors = 0;  // failed opens and reads (each distinct failure once)
  std::size_t open_files = 0;     // files currently followed (renamed-away ones not counted)
};

class LineSink {
 public:
  virtual ~LineSink() = default;
  // A complete line without its newline (or CR LF), from log number `log`, read from `file`
  // (the path as the log's pattern matched it), which `file_id` names: a number no other file
  // this follower opens ever has, cheaper to compare per line than the path.
  virtual void Line(std::size_t log, std::uint64_t file_id, std::string_view file,
                    std::string_view line) = 0;
};

// Follows log files through rotation. Files are known by device and inode, not by name, so a
// file renamed away is drained to its end before lines of its successor are read, a rename
// within the pattern is not read twice, and a file that shrank was truncated. Poll() is the only
// place that touches the filesystem; a live loop calls it when a ChangeTrigger fires, tests and
// replay call it directly. Not thread-safe.
class FileFollower {
 public:
  FileFollower(std::vector<FollowedLog> logs, FollowerOptions options, const Clock& clock,
               Logger logger);
  ~FileFollower();
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;

  // One round: finds new, renamed, replaced, truncated and deleted files, and reads what was
  // appended. True if a file had more than the read budget left (call again soon). With
  // `written_only` (sorted paths, as a ChangeTrigger reports them: directory + "/" + name) the
  // round only reads those files and the renamed-away ones: nothing else changed.
  bool Poll(LineSink& sink, const std::vector<std::string>* written_only = nullptr);
  // Follows `logs` from now on (a reload). A log with the name and pattern of a running one goes
  // on where it was, with its files and health; others are new, and start at the end of their
  // files as at start. Returns, per new log, the index of the log it continues, or -1.
  std::vector<int> SetLogs(std::vector<FollowedLog> logs);
  // Hands on every file's unterminated last line (end of a replay).
  void Flush(LineSink& sink);

  const LogHealth& Health(std::size_t log) const;
  std::size_t size() const { return logs_.size(); }
  // The directories whose changes matter: those of the patterns.
  std::vector<std::string> Directories() const;

 private:
  struct File;
  struct Log;

  void Discover(Log& log);
  void Read(Log& log, std::size_t index, File& file, bool& more, LineSink& sink);
  void Close(Log& log, std::size_t index, File& file, LineSink& sink);
  void FlushFile(Log& log, std::size_t index, File& file, LineSink& sink);
  bool SamePrefix(File& file, std::uint64_t size);
  // Where a file that comes back (reopened, or readable at last) goes on: at `offset`.
  void Remember(Log& log, dev_t dev, ino_t ino, std::uint64_t offset);
  // Counts and logs `error` unless it is the log's last one again.
  void NoteError(Log& log, std::string error);

  std::vector<std::unique_ptr<Log>> logs_;
  std::uint64_t files_opened_ = 0;  // the last File::id given
  FollowerOptions options_;
  const Clock& clock_;
  Logger logger_;
};

}  // namespace edgewatch::io
