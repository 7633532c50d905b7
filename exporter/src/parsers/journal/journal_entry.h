#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgewatch::journal {

// The value of a journal field as sd_journal_get_data() hands it out ("MESSAGE=text"): the bytes
// after `field` and '='; empty when the data is not that field's.
std::string_view FieldValue(std::string_view data, std::string_view field);

// The fields of one entry a log line is made of (views into the journal's memory).
struct EntryFields {
  std::int64_t realtime_usec = 0;  // __REALTIME_TIMESTAMP: when journald received it
  std::string_view hostname;       // _HOSTNAME
  std::string_view identifier;     // SYSLOG_IDENTIFIER
  std::string_view pid;            // SYSLOG_PID, else _PID
  std::string_view message;        // MESSAGE
};

// A field's value copied into a fixed buffer: sd-journal's pointers last only until its next
// call, and a copy of a field cannot grow memory. Longer values are cut to N bytes.
template <std::size_t N>
struct FieldCopy {
  std::array<char, N> bytes{};
  std::size_t size = 0;

  void Set(std::string_view v) {
    size = std::min(v.size(), N);
    std::copy_n(v.data(), size, bytes.data());
  }
  std::string_view view() const { return {bytes.data(), size}; }
};

// The fields of the current entry a line is made of, copied out as the entry's fields are
// enumerated ("FIELD=value" each). No allocation after construction.
class EntryCopy {
 public:
  explicit EntryCopy(std::size_t max_message) : message_(max_message) {}

  void Clear();
  // One enumerated field; those not wanted are ignored.
  void Take(std::string_view data);

  FieldCopy<256> identifier;  // SYSLOG_IDENTIFIER
  FieldCopy<256> unit;        // _SYSTEMD_UNIT
  FieldCopy<256> hostname;    // _HOSTNAME
  FieldCopy<24> syslog_pid;   // SYSLOG_PID
  FieldCopy<24> pid;          // _PID
  std::string_view message() const { return {message_.data(), message_kept_}; }  // MESSAGE
  std::size_t message_size = 0;  // before it was cut to max_message
  bool has_message = false;

 private:
  std::vector<char> message_;
  std::size_t message_kept_ = 0;
};

// A line written into a caller's buffer, and whether it had to be cut to fit.
struct WrittenLine {
  std::string_view line;
  bool cut = false;
};

// Writes entries as the syslog lines rsyslog would have written for them
// ("2026-12-02T04:10:58+00:00 mx1 postfix/smtpd[100]: connect from ..."), so the log parsers
// read the journal as they read mail.log: RFC 3339 in UTC, to the second (the parsers' windows
// run on seconds, and equal seconds share one parse). Newlines in a message become spaces: a
// line-based parser sees one entry as one line. No allocation: the seconds part is remembered
// while entries share a second.
class SyslogLineWriter {
 public:
  WrittenLine Write(const EntryFields& e, std::span<char> out);
  // The message alone (for logs whose lines carry their own time, such as access logs).
  static WrittenLine WriteMessage(std::string_view message, std::span<char> out);

 private:
  std::int64_t second_ = -1;
  char stamp_[32] = {};  // "YYYY-MM-DDTHH:MM:SS+00:00"
  std::size_t stamp_size_ = 0;
};

// Which entries a journal log reads: SYSLOG_IDENTIFIER and _SYSTEMD_UNIT globs ('*', '?'), an
// entry matching any one of either; no patterns at all: every entry. Pure.
class EntryFilter {
 public:
  EntryFilter(std::vector<std::string> identifiers, std::vector<std::string> units);

  // True when every pattern is a plain value: the journal's own matches select the entries
  // (its index, no entry read for nothing), and Matches() need not be asked.
  bool Exact() const { return exact_; }
  bool WantsUnit() const { return !units_.empty(); }
  bool Matches(std::string_view identifier, std::string_view unit) const;
  const std::vector<std::string>& identifiers() const { return identifiers_; }
  const std::vector<std::string>& units() const { return units_; }

 private:
  std::vector<std::string> identifiers_;
  std::vector<std::string> units_;
  bool exact_ = true;
};

}  // namespace edgewatch::journal
