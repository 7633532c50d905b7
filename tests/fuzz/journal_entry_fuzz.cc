#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/journal/journal_entry.h"

// Input: an entry's fields as sd-journal enumerates them ("FIELD=value"), one per line, and the
// first 8 bytes its receive time; the fields become a line through every path.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgewatch::journal;
  if (size < 8) {
    return 0;
  }
  std::int64_t usec = 0;
  for (int i = 0; i < 8; ++i) {
    usec = static_cast<std::int64_t>(static_cast<std::uint64_t>(usec) << 8 | data[i]);
  }
  std::string_view in(reinterpret_cast<const char*>(data) + 8, size - 8);
  EntryCopy entry(512);
  while (!in.empty()) {
    const auto end = in.find('\n');
    entry.Take(in.substr(0, end));
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
  }
  const EntryFilter filter({"postfix*", "?x*im"}, {"postfix@*.service"});
  (void)filter.Matches(entry.identifier.view(), entry.unit.view());
  SyslogLineWriter writer;
  std::array<char, 300> line{};
  (void)writer.Write({usec, entry.hostname.view(), entry.identifier.view(), entry.syslog_pid.view(),
                      entry.message()},
                     line);
  (void)SyslogLineWriter::WriteMessage(entry.message(), line);
  return 0;
}
