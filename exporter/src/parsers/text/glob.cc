#include "parsers/text/glob.h"

namespace edgewatch::text {

bool GlobMatch(std::string_view pattern, std::string_view path) {
  while (!pattern.empty()) {
    const char p = pattern.front();
    if (p == '*') {
      pattern.remove_prefix(1);
      for (std::size_t i = 0;; ++i) {  // the shortest run that lets the rest match
        if (GlobMatch(pattern, path.substr(i))) {
          return true;
        }
        if (i == path.size() || path[i] == '/') {
          return false;
        }
      }
    }
    if (path.empty() || (p == '?' ? path.front() == '/' : p != path.front())) {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

std::optional<std::string_view> GlobCapture(std::string_view pattern, std::string_view path) {
  const auto star = pattern.find('*');
  if (star == std::string_view::npos || path.size() < star ||
      !GlobMatch(pattern.substr(0, star), path.substr(0, star))) {
    return std::nullopt;
  }
  const std::string_view rest = pattern.substr(star + 1);
  for (std::size_t end = star;; ++end) {
    if (GlobMatch(rest, path.substr(end))) {
      return path.substr(star, end - star);
    }
    if (end == path.size() || path[end] == '/') {
      return std::nullopt;
    }
  }
}

}  // namespace edgewatch::text
