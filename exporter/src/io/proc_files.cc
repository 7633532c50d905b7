#include "io/proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "io/unique_fd.h"

namespace edgewatch::io {
namespace {

std::string Describe(const std::string& path, int err) { return path + ": " + std::strerror(err); }

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

Expected<std::string> ReadSmallFile(const std::string& path, std::size_t max_bytes) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return Error{Describe(path, errno)};
  }
  std::string data;
  char buf[4096];
  while (data.size() < max_bytes) {
    const ssize_t n = ::read(fd.get(), buf, std::min(sizeof buf, max_bytes - data.size()));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Error{Describe(path, errno)};
    }
    if (n == 0) {
      break;
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

Expected<std::vector<std::string>> ListDirectory(const std::string& path) {
  const std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (!dir) {
    return Error{Describe(path, errno)};
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir.get())) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      names.emplace_back(entry->d_name);
    }
  }
  return names;
}

Expected<std::size_t> CountDirectoryEntries(const std::string& path) {
  auto names = ListDirectory(path);
  if (!names) {
    return names.error();
  }
  return names->size();
}

long ClockTicksPerSecond() { return ::sysconf(_SC_CLK_TCK); }
long PageSizeBytes() { return ::sysconf(_SC_PAGESIZE); }

}  // namespace edgewatch::io
