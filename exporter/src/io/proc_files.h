#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "parsers/expected.h"

namespace edgewatch::io {

// Reads a small file (procfs, sysfs) whole; files under /proc report size 0, so this reads
// until EOF up to `max_bytes`.
Expected<std::string> ReadSmallFile(const std::string& path, std::size_t max_bytes = 1 << 20);

// Names of the entries in a directory, without "." and "..".
Expected<std::vector<std::string>> ListDirectory(const std::string& path);

// Number of entries in a directory, without "." and "..".
Expected<std::size_t> CountDirectoryEntries(const std::string& path);

// sysconf(_SC_CLK_TCK) and the page size: the units of /proc/<pid>/stat.
long ClockTicksPerSecond();
long PageSizeBytes();

}  // namespace edgewatch::io
