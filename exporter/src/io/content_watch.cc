#include "io/content_watch.h"

#include <fstream>
#include <functional>
#include <iterator>

namespace edgewatch::io {

ContentWatch::ContentWatch(std::vector<std::string> paths) {
  for (auto& p : paths) {
    auto hash = HashOf(p);
    files_.push_back({std::move(p), hash});
  }
}

bool ContentWatch::Changed() {
  bool changed = false;
  for (auto& f : files_) {
    const auto now = HashOf(f.path);
    changed = changed || now != f.hash;
    f.hash = now;
  }
  return changed;
}

std::optional<std::size_t> ContentWatch::HashOf(const std::string& path) {
  constexpr std::size_t kMaxBytes = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text(kMaxBytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return std::nullopt;
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  return std::hash<std::string>{}(text);
}

}  // namespace edgewatch::io
