#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace edgewatch::proc {

// Fields of /proc/<pid>/stat (proc(5)); times in clock ticks, rss in pages.
struct ProcessStat {
  std::string_view comm;  // the command name, without parentheses; points into the parsed text
  std::uint64_t ppid = 0;
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t cutime_ticks = 0;  // of waited-for children
  std::uint64_t cstime_ticks = 0;
  std::uint64_t starttime_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::uint64_t rss_pages = 0;
};

// Parses /proc/<pid>/stat. The command name may hold spaces and parentheses; it ends at the last
// ')'. Returns nullopt when fields are missing or not numbers.
std::optional<ProcessStat> ParseProcessStat(std::string_view text);

// The soft "Max open files" limit from /proc/<pid>/limits; "unlimited" is UINT64_MAX.
std::optional<std::uint64_t> ParseMaxOpenFiles(std::string_view text);

// The "btime" line of /proc/stat: boot time in seconds since the epoch.
std::optional<std::uint64_t> ParseBootTime(std::string_view text);

// /proc/loadavg's 1, 5 and 15 minute load averages.
std::optional<std::array<double, 3>> ParseLoadAverage(std::string_view text);

// A pid file's process id: digits, optionally surrounded by white space (Apache writes "1234\n").
std::optional<std::uint64_t> ParsePidFile(std::string_view text);

}  // namespace edgewatch::proc
