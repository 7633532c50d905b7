#include "config/section.h"

namespace edgewatch {

Expected<std::chrono::milliseconds> PositiveDuration(const std::string& text) {
  auto d = ParseDuration(text);
  if (d && d->count() == 0) {
    return Error{"must be greater than 0s"};
  }
  return d;
}

void ReadFollow(MapReader& m, FollowConfig& c) {
  m.Value("poll_interval", c.poll_interval, PositiveDuration);
  m.Value("rotate_wait", c.rotate_wait, ParseDuration);
  m.Value("max_line_length", c.max_line_length,
          [](const std::string& t) { return ParseUnsigned(t, 256, 16u << 20); });
  m.Value("max_files", c.max_files,
          [](const std::string& t) { return ParseUnsigned(t, 1, 10000); });
}

namespace {

Expected<std::string> JournalPattern(const std::string& t) {
  if (t.empty() || t.find('=') != std::string::npos) {
    return Error{"expected a value or a glob such as postfix*, got \"" + t + "\""};
  }
  return t;
}

}  // namespace

// name and source of an access_log or mail_log entry.
void ReadLogEntry(MapReader& l, LabelNames& names, std::string& name, std::string& path,
                  std::optional<JournalLogConfig>& journal) {
  l.String("name", name);
  l.String("path", path);
  l.Section("journal", [&](MapReader& j) {
    auto& c = journal.emplace();
    j.List("identifiers", c.identifiers, JournalPattern);
    j.List("units", c.units, JournalPattern);
    j.String("directory", c.directory);
    j.String("cursor_file", c.cursor_file);
  });
  names.Add(l, name);
  if (path.empty() && !journal) {
    l.Fail("path", "every log needs a path (a file or a glob) or a journal");
  } else if (!path.empty() && journal) {
    l.Fail("journal", "a log reads either files (path) or the journal, not both");
  }
}

}  // namespace edgewatch
