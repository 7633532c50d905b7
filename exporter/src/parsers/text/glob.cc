#include "parsers/text/glob.h"

namespace edgewatch::text {

namespace {

// '*' and '?' stop at `separator` (none: '\0' never occurs in names).
bool Match(std::string_view pattern, std::string_view path, char separator) {
  while (!pattern.empty()) {
    const char p = pattern.front();
    if (p == '*') {
      pattern.remove_prefix(1);
      for (std::size_t i = 0;; ++i) {  // the shortest run that lets the rest match
        if (Match(pattern, path.substr(i), separator)) {
          return true;
        }
        if (i == path.size() || path[i] == separator) {
          return false;
        }
      }
    }
    if (path.empty() || (p == '?' ? path.front() == separator : p != path.front())) {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return Match(pattern, path, '/');
}

bool NameMatch(std::string_view pattern, std::string_view name) {
  return Match(pattern, name, '\0');
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
