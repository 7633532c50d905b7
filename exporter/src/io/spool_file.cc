#include "io/spool_file.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace edgewatch::io {

SpoolFile::SpoolFile() : file_(std::tmpfile()) {}

SpoolFile::~SpoolFile() {
  if (map_ != nullptr) {
    ::munmap(map_, size_);
  }
  if (file_ != nullptr) {
    std::fclose(file_);
  }
}

Status SpoolFile::Append(const void* data, std::size_t size) {
  if (file_ == nullptr || map_ != nullptr) {
    return Error{std::string("cannot write a temporary file: ") +
                 (file_ == nullptr ? std::strerror(errno) : "already mapped")};
  }
  if (std::fwrite(data, 1, size, file_) != size) {
    return Error{std::string("cannot write a temporary file: ") + std::strerror(errno)};
  }
  size_ += size;
  return {};
}

Expected<std::span<const std::byte>> SpoolFile::Map() {
  if (map_ == nullptr && size_ > 0) {
    if (file_ == nullptr || std::fflush(file_) != 0) {
      return Error{std::string("cannot write a temporary file: ") + std::strerror(errno)};
    }
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, ::fileno(file_), 0);
    if (p == MAP_FAILED) {
      return Error{std::string("cannot map a temporary file: ") + std::strerror(errno)};
    }
    map_ = p;
  }
  return std::span<const std::byte>(static_cast<const std::byte*>(map_), size_);
}

}  // namespace edgewatch::io
