#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/logger.h"
#include "io/file_follower.h"
#include "parsers/journal/journal_entry.h"

struct sd_journal;

namespace edgewatch::io {

// What a journal entry becomes for the log handlers.
enum class JournalLine {
  kSyslog,   // the line rsyslog would have written (mail logs)
  kMessage,  // MESSAGE alone (access logs: the line carries its own time)
};

struct JournalOptions {
  std::string name;                      // the log's name, for log records
  std::vector<std::string> files;        // replay: these journal files; else the journal below
  std::string directory;                 // a journal directory; empty: the local system journal
  std::vector<std::string> identifiers;  // SYSLOG_IDENTIFIER globs (journal::EntryFilter)
  std::vector<std::string> units;        // _SYSTEMD_UNIT globs
  // Where the position is kept across restarts; empty: none (replay). Written at most every
  // `cursor_interval` while entries are read, and when the reader is destroyed.
  std::string cursor_file;
  std::chrono::milliseconds cursor_interval{std::chrono::seconds(1)};
  JournalLine line = JournalLine::kSyslog;
  std::size_t max_line = 64 * 1024;  // longer lines are cut and counted
  std::size_t read_budget = 10'000;  // entries per Poll(), so one journal holds nothing up
  bool from_start = false;           // replay; live starts at the cursor, else at the end
};

// Per journal log, since start.
struct JournalHealth {
  LogHealth log;           // lines: entries handed on; open_files: 1 while the journal has files
  double lag_seconds = 0;  // behind the journal's newest entry after the last round
  std::uint64_t cursor_misses = 0;        // resumes whose cursor entry was no longer in the journal
  std::uint64_t cursor_write_errors = 0;  // failures to write the cursor file
};

// Reads a systemd journal through sd-journal: entries matching the filter, in order, handed on
// as lines (LineSink, log `index`, file "journal"). The journal's own files, rotation and
// vacuuming are sd-journal's business (its inotify, processed every round); the position
// survives restarts in the cursor file. Poll() is the only place that reads; not thread-safe.
class JournalReader {
 public:
  JournalReader(JournalOptions options, const Clock& clock, Logger logger);
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // One round: what was appended since the last (with `until_usec`: only the entries received
  // up to then). True if the read budget ran out first.
  bool Poll(LineSink& sink, std::size_t index, std::optional<std::int64_t> until_usec = {});
  // When the next entry was received (microseconds since the epoch); nullopt if none is there
  // now. The entry is read by the next Poll().
  std::optional<std::int64_t> NextTimeUsec();
  // Writes the position now (also done by Poll() and the destructor).
  void SaveCursor();

  const JournalHealth& Health() const { return health_; }
  const JournalOptions& options() const { return options_; }
  // The directories whose changes matter (for a ChangeTrigger): the journal's.
  std::vector<std::string> Directories() const;

 private:
  // Opens the journal and places it; false (error noted) when it cannot be opened.
  bool Open();
  // Open and placed, or false (no journal files yet, or it cannot be opened).
  bool Ready();
  void Close();
  void Place();
  // The cursor kept in the cursor file, if any.
  std::string StoredCursor();
  void NoteError(std::string error);
  void HandOn(LineSink& sink, std::size_t index);

  JournalOptions options_;
  journal::EntryFilter filter_;
  const Clock& clock_;
  Logger logger_;
  sd_journal* journal_ = nullptr;
  bool placed_ = false;        // positioned (the journal had files when opened)
  bool opened_empty_ = false;  // it had none at first: all that comes later is new
  // Its files were there but unreadable since this time: once readable, read from then on.
  std::optional<std::int64_t> readable_from_usec_;
  bool pending_current_ = false;  // the entry the journal is on has not been handed on yet
  bool cursor_dirty_ = false;     // entries read since the cursor was written
  Clock::MonotonicTime cursor_saved_{};
  std::string last_error_;
  std::vector<char> line_;    // the line buffer, max_line long
  journal::EntryCopy entry_;  // the current entry's fields
  journal::SyslogLineWriter writer_;
  JournalHealth health_;
};

}  // namespace edgewatch::io
