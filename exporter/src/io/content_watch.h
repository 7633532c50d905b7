#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace edgewatch::io {

// Tells when the content of any of a few small files changed since the last look: for
// configuration that is picked up without a signal (a Kubernetes ConfigMap, a renewed
// certificate). Content, not modification times: a ConfigMap is swapped in through a symlink,
// and certificates are often copied with their old times kept (cp -p, install -p). Each file
// is read whole (at most 1 MiB of it), so keep it to configuration files. Not thread-safe.
class ContentWatch {
 public:
  ContentWatch() = default;
  // Reads `paths` now: what later looks compare with.
  explicit ContentWatch(std::vector<std::string> paths);

  // Reads the files again; true when any differs from the last look (changed, appeared,
  // vanished, became unreadable).
  bool Changed();

 private:
  struct Seen {
    std::string path;
    std::optional<std::size_t> hash;  // none: unreadable
  };
  static std::optional<std::size_t> HashOf(const std::string& path);

  std::vector<Seen> files_;
};

}  // namespace edgewatch::io
