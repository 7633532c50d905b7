#include "io/journal_reader.h"

#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

namespace edgewatch::io {

namespace {

std::string Errno(int negative) { return std::strerror(-negative); }

// Adds the journal's own matches for exact patterns: one field's values are alternatives, and
// the identifier and unit lists are alternatives of each other.
int AddMatches(sd_journal* j, const journal::EntryFilter& filter) {
  const auto add = [&](const char* field, const std::vector<std::string>& values) {
    for (const auto& v : values) {
      const std::string match = std::string(field) + "=" + v;
      if (const int r = sd_journal_add_match(j, match.data(), match.size()); r < 0) {
        return r;
      }
    }
    return 0;
  };
  if (const int r = add("SYSLOG_IDENTIFIER", filter.identifiers()); r < 0) {
    return r;
  }
  if (!filter.identifiers().empty() && !filter.units().empty()) {
    if (const int r = sd_journal_add_disjunction(j); r < 0) {
      return r;
    }
  }
  return add("_SYSTEMD_UNIT", filter.units());
}

// The first journal file or directory among `dirs` this process may not read; empty if none.
std::string UnreadableJournalFile(const std::vector<std::string>& dirs) {
  std::error_code ec;
  for (const auto& dir : dirs) {
    if (!std::filesystem::is_directory(dir, ec)) {
      continue;
    }
    if (::access(dir.c_str(), R_OK | X_OK) != 0) {
      return dir;
    }
    for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
      if (f.path().extension() == ".journal" && ::access(f.path().c_str(), R_OK) != 0) {
        return f.path().string();
      }
    }
  }
  return {};
}

}  // namespace

JournalReader::JournalReader(JournalOptions options, const Clock& clock, Logger logger)
    : options_(std::move(options)),
      filter_(options_.identifiers, options_.units),
      clock_(clock),
      logger_(std::move(logger)),
      line_(options_.max_line),
      entry_(options_.max_line) {}

JournalReader::~JournalReader() {
  SaveCursor();
  Close();
}

bool JournalReader::Open() {
  int r = 0;
  if (!options_.files.empty()) {
    std::vector<const char*> paths;
    for (const auto& f : options_.files) {
      paths.push_back(f.c_str());
    }
    paths.push_back(nullptr);
    r = sd_journal_open_files(&journal_, paths.data(), 0);
  } else if (!options_.directory.empty()) {
    r = sd_journal_open_directory(&journal_, options_.directory.c_str(), 0);
  } else {
    r = sd_journal_open(&journal_, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
  }
  if (r < 0) {
    journal_ = nullptr;
    if (r == -ENOENT) {  // a directory that does not exist (yet): what comes later is all new
      opened_empty_ = true;
      health_.log.open_files = 0;
      if (std::exchange(last_error_, "missing") != "missing") {
        logger_.Warn("journal directory does not exist",
                     {{"log", options_.name}, {"directory", options_.directory}});
      }
      return false;
    }
    NoteError("cannot open the journal: " + Errno(r));
    return false;
  }
  sd_journal_set_data_threshold(journal_, options_.max_line);
  if (filter_.Exact()) {
    if (r = AddMatches(journal_, filter_); r < 0) {
      NoteError("cannot match journal entries: " + Errno(r));
      Close();
      return false;
    }
  }
  if (options_.files.empty()) {
    sd_journal_get_fd(journal_);  // sd-journal's inotify: rotation and new files, per round
  }
  return true;
}

void JournalReader::Close() {
  if (journal_ != nullptr) {
    sd_journal_close(journal_);
    journal_ = nullptr;
  }
}

std::string JournalReader::StoredCursor() {
  if (options_.cursor_file.empty()) {
    return {};
  }
  std::ifstream in(options_.cursor_file);
  std::string cursor;
  std::getline(in, cursor);
  return cursor;
}

void JournalReader::Place() {
  placed_ = true;
  if (options_.from_start) {
    sd_journal_seek_head(journal_);
    return;
  }
  const std::string cursor = StoredCursor();
  if (cursor.empty() && readable_from_usec_) {
    sd_journal_seek_realtime_usec(journal_, static_cast<std::uint64_t>(*readable_from_usec_));
    return;
  }
  if (cursor.empty() && opened_empty_) {
    sd_journal_seek_head(journal_);  // a journal that came after us: everything in it is new
    return;
  }
  if (!cursor.empty()) {
    if (const int r = sd_journal_seek_cursor(journal_, cursor.c_str()); r >= 0) {
      const int next = sd_journal_next(journal_);
      if (next > 0 && sd_journal_test_cursor(journal_, cursor.c_str()) > 0) {
        return;  // on the last entry read before: Poll() goes on after it
      }
      // Gone (vacuumed, or the filter changed): what follows it is still read; what was
      // vacuumed in between is lost, and the miss is counted.
      ++health_.cursor_misses;
      pending_current_ = next > 0;
      logger_.Warn("journal cursor entry is no longer in the journal; resuming at the next entry",
                   {{"log", options_.name}, {"cursor_file", options_.cursor_file}});
      return;
    }
    logger_.Warn("invalid journal cursor; starting at the end of the journal",
                 {{"log", options_.name}, {"cursor_file", options_.cursor_file}});
  }
  sd_journal_seek_tail(journal_);
  sd_journal_previous(journal_);  // on the newest entry: Poll() reads what comes after it
}

bool JournalReader::Ready() {
  if (journal_ == nullptr && !Open()) {
    return false;
  }
  sd_journal_process(journal_);
  if (!placed_) {
    std::uint64_t usage = 0;
    if (sd_journal_get_usage(journal_, &usage) < 0 || usage == 0) {
      // No journal files yet: opened again next round, to see directories created meanwhile.
      // sd-journal skips files it may not read without a word: say which.
      if (const std::string denied = UnreadableJournalFile(Directories()); !denied.empty()) {
        NoteError("cannot read " + denied + ": " + std::strerror(EACCES));
        if (!readable_from_usec_) {  // there but unreadable: its history is no new traffic
          readable_from_usec_ =
              std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now().time_since_epoch())
                  .count();
        }
      } else {
        opened_empty_ = true;
      }
      health_.log.open_files = 0;
      Close();
      return false;
    }
    Place();
  }
  health_.log.open_files = 1;
  return true;
}

std::optional<std::int64_t> JournalReader::NextTimeUsec() {
  if (!Ready()) {
    return std::nullopt;
  }
  if (!pending_current_) {
    if (sd_journal_next(journal_) <= 0) {
      return std::nullopt;
    }
    pending_current_ = true;
  }
  std::uint64_t usec = 0;
  sd_journal_get_realtime_usec(journal_, &usec);
  return static_cast<std::int64_t>(usec);
}

bool JournalReader::Poll(LineSink& sink, std::size_t index,
                         std::optional<std::int64_t> until_usec) {
  if (!Ready()) {
    return false;
  }
  std::size_t read = 0;
  int r = 0;
  while (read < options_.read_budget) {
    if (pending_current_) {
      pending_current_ = false;
      r = 1;
    } else {
      r = sd_journal_next(journal_);
    }
    if (r <= 0) {
      break;
    }
    if (std::uint64_t usec = 0; until_usec && sd_journal_get_realtime_usec(journal_, &usec) >= 0 &&
                                static_cast<std::int64_t>(usec) > *until_usec) {
      pending_current_ = true;  // the next round's first entry
      break;
    }
    ++read;
    HandOn(sink, index);
  }
  if (r < 0) {
    NoteError("cannot read the journal: " + Errno(r));
  }
  const bool more = read == options_.read_budget;
  health_.lag_seconds = 0;
  std::uint64_t usec = 0;
  if (more && sd_journal_get_realtime_usec(journal_, &usec) >= 0) {
    const auto now =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now().time_since_epoch())
            .count();
    health_.lag_seconds =
        std::max(0.0, static_cast<double>(now - static_cast<std::int64_t>(usec)) / 1e6);
  }
  if (read > 0) {
    cursor_dirty_ = true;
    if (clock_.Monotonic() - cursor_saved_ >= options_.cursor_interval) {
      SaveCursor();
    }
  }
  return more;
}

void JournalReader::HandOn(LineSink& sink, std::size_t index) {
  // One pass over the entry's fields (a get_data per field would scan them each time), each
  // wanted one copied out: sd-journal's pointers last only until its next call.
  entry_.Clear();
  sd_journal_restart_data(journal_);
  const void* data = nullptr;
  std::size_t size = 0;
  while (sd_journal_enumerate_available_data(journal_, &data, &size) > 0) {
    entry_.Take({static_cast<const char*>(data), size});
  }
  if (!filter_.Exact() && !filter_.Matches(entry_.identifier.view(), entry_.unit.view())) {
    return;
  }
  if (!entry_.has_message) {
    return;  // nothing a log line holds (e.g. structured-only entries)
  }
  const std::string_view message = entry_.message();
  journal::WrittenLine written;
  if (options_.line == JournalLine::kMessage) {
    written = journal::SyslogLineWriter::WriteMessage(message, line_);
  } else {
    std::uint64_t usec = 0;
    sd_journal_get_realtime_usec(journal_, &usec);
    const std::string_view pid =
        entry_.syslog_pid.size > 0 ? entry_.syslog_pid.view() : entry_.pid.view();
    written = writer_.Write({static_cast<std::int64_t>(usec), entry_.hostname.view(),
                             entry_.identifier.view(), pid, message},
                            line_);
  }
  ++health_.log.lines;
  health_.log.bytes += entry_.message_size;
  health_.log.long_lines += written.cut || entry_.message_size > message.size() ? 1 : 0;
  sink.Line(index, 1, "journal", written.line);
}

void JournalReader::SaveCursor() {
  if (!cursor_dirty_ || journal_ == nullptr || options_.cursor_file.empty()) {
    return;
  }
  cursor_saved_ = clock_.Monotonic();
  char* cursor = nullptr;
  if (sd_journal_get_cursor(journal_, &cursor) < 0) {
    return;
  }
  const std::unique_ptr<char, decltype(&std::free)> owned(cursor, &std::free);
  const std::string tmp = options_.cursor_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << cursor << "\n";
    out.close();
    std::error_code ec;
    if (out && (std::filesystem::rename(tmp, options_.cursor_file, ec), !ec)) {
      cursor_dirty_ = false;
      return;
    }
  }
  ++health_.cursor_write_errors;
  logger_.Warn(
      "cannot write the journal cursor file",
      {{"log", options_.name}, {"path", options_.cursor_file}, {"err", std::strerror(errno)}});
}

void JournalReader::NoteError(std::string error) {
  if (error != last_error_) {
    ++health_.log.read_errors;
    logger_.Warn("cannot follow journal", {{"log", options_.name}, {"err", error}});
    last_error_ = std::move(error);
  }
}

std::vector<std::string> JournalReader::Directories() const {
  if (!options_.files.empty()) {
    std::vector<std::string> dirs;
    for (const auto& f : options_.files) {
      dirs.push_back(std::filesystem::path(f).parent_path().string());
    }
    return dirs;
  }
  if (!options_.directory.empty()) {
    return {options_.directory};
  }
  sd_id128_t id;
  char text[SD_ID128_STRING_MAX];
  if (sd_id128_get_machine(&id) < 0) {
    return {"/run/log/journal", "/var/log/journal"};
  }
  sd_id128_to_string(id, text);
  return {std::string("/run/log/journal/") + text, std::string("/var/log/journal/") + text};
}

}  // namespace edgewatch::io
