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

// name and path of an access_log or mail_log entry.
void ReadLogEntry(MapReader& l, LabelNames& names, std::string& name, std::string& path) {
  l.String("name", name);
  l.String("path", path);
  names.Add(l, name);
  if (path.empty()) {
    l.Fail("path", "every log needs a path (a file or a glob)");
  }
}

}  // namespace edgewatch
