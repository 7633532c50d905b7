#pragma once

#include <any>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/values.h"
#include "config/yaml_reader.h"
#include "parsers/expected.h"

namespace edgewatch {

struct GlobalConfig {
  // How long one collector may take in a scrape before it is reported failed. Keep it below
  // Prometheus' scrape_timeout (10s by default).
  std::chrono::milliseconds collector_timeout{std::chrono::seconds(8)};
};

// Names label every series of a server, neighbour or log: required, and unique among all that
// share the label (the edgewatch_log_* series of access and mail logs share `log`).
class LabelNames {
 public:
  explicit LabelNames(std::string noun) : noun_(std::move(noun)) {}

  // The `name` key of an entry; an empty one is reported at once.
  void Add(MapReader& m, const std::string& name) {
    if (name.empty()) {
      m.Fail("name", "every " + noun_ + " needs a name (the " + noun_ + " label)");
    } else {
      names_.push_back({name, m.Where("name")});
    }
  }
  // After decoding: every name given before.
  void ReportDuplicates(YamlReader& reader) const {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (names_[j].first == names_[i].first) {
          reader.Fail(names_[i].second.mark, names_[i].second.path,
                      "duplicate " + noun_ + " name \"" + names_[i].first + "\"");
          break;
        }
      }
    }
  }

 private:
  std::string noun_;
  std::vector<std::pair<std::string, MapReader::Place>> names_;
};

// What a section reader gets besides its own mapping: the global section (read first) and the
// label names every section's entries add to, checked for duplicates after decoding.
struct ConfigContext {
  const GlobalConfig& global;
  LabelNames& servers;
  LabelNames& neighbors;
  LabelNames& logs;
};

// One collector's config section: its top-level key, its struct with the defaults, and its
// strict reader. A collector's registration names it; ParseConfig decodes the sections it is
// given.
struct ConfigSection {
  std::string_view key;
  std::any (*make)();  // the section's struct with its defaults
  void (*read)(MapReader& m, std::any& section, ConfigContext& context);
  // Its part of the embedded default (the YAML under its key), beyond the struct's defaults;
  // empty: none.
  std::string_view embedded;
};

// The ConfigSection of struct T (with T::kKey) read by kRead.
template <class T, void (*kRead)(MapReader&, T&, ConfigContext&)>
constexpr ConfigSection SectionOf(std::string_view embedded = {}) {
  return {T::kKey, [] { return std::any(T{}); },
          [](MapReader& m, std::any& section, ConfigContext& context) {
            kRead(m, std::any_cast<T&>(section), context);
          },
          embedded};
}

// Value readers several sections share.
Expected<std::chrono::milliseconds> PositiveDuration(const std::string& text);

// Turns a parser of T into one of std::optional<T>, for keys whose absence means "inherit".
template <typename Parse>
auto Optional(Parse parse) {
  using T = std::decay_t<decltype(*parse(std::string()))>;
  return [parse](const std::string& text) -> Expected<std::optional<T>> {
    auto v = parse(text);
    if (!v) {
      return v.error();
    }
    return std::optional<T>(std::move(*v));
  };
}

// How log files are followed (access_log and mail_log each have these keys).
struct FollowConfig {
  // Rounds happen on every inotify change, and at least this often (the polling fallback).
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  // A file renamed away or replaced is read for this long after its last write.
  std::chrono::milliseconds rotate_wait{std::chrono::seconds(30)};
  std::uint64_t max_line_length = 64 * 1024;  // longer lines are cut and counted
  std::uint64_t max_files = 64;               // files followed per log (a glob's matches) at most

  friend bool operator==(const FollowConfig&, const FollowConfig&) = default;
};

// A log read from the systemd journal rather than from files (a log entry's `journal` key).
struct JournalLogConfig {
  // Entries whose SYSLOG_IDENTIFIER or _SYSTEMD_UNIT matches one of these globs ('*' and '?'
  // match any characters, '/' too); both empty: every entry.
  std::vector<std::string> identifiers;
  std::vector<std::string> units;
  std::string directory;  // a journal directory; empty: the local system journal
  std::string
      cursor_file;  // empty: <name>.journal-cursor in $STATE_DIRECTORY or /var/lib/edgewatch

  friend bool operator==(const JournalLogConfig&, const JournalLogConfig&) = default;
};

// The follow keys of a log section (poll_interval, rotate_wait, max_line_length, max_files).
void ReadFollow(MapReader& m, FollowConfig& c);
// name and source of a log entry, `path` or `journal`; the name is a `log` label.
void ReadLogEntry(MapReader& l, LabelNames& names, std::string& name, std::string& path,
                  std::optional<JournalLogConfig>& journal);

}  // namespace edgewatch
