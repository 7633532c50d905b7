#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>

#include "parsers/expected.h"

namespace edgewatch::io {

// An unlinked temporary file written front to back and then mapped to be read: data too big to
// keep in memory that is read in another order than it was written (the replay history). The
// mapping lives in the page cache, not in the process's heap. Not thread-safe.
class SpoolFile {
 public:
  SpoolFile();
  ~SpoolFile();
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  Status Append(const void* data, std::size_t size);
  std::uint64_t size() const { return size_; }
  // Everything appended, mapped read-only; no Append() after it.
  Expected<std::span<const std::byte>> Map();

 private:
  std::FILE* file_;
  std::uint64_t size_ = 0;
  void* map_ = nullptr;
};

}  // namespace edgewatch::io
