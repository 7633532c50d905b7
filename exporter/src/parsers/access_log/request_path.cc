#include "parsers/access_log/request_path.h"

#include <cstddef>

#include "parsers/text/percent.h"

namespace edgewatch::access_log {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] + ('a' - 'A')) : s[i];
    if (c != lower_prefix[i]) {
      return false;
    }
  }
  return true;
}

// RFC 3986 unreserved: what ap_normalize_path decodes (AP_NORMALIZE_DECODE_UNRESERVED).
bool Unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Whether `path` has an escape, "//", "/." or ".php/". It runs for every line: memchr-based
// finds, one per '/', cost less than a loop over its characters.
bool NeedsWork(std::string_view path) {
  if (path.find('%') != std::string_view::npos) {
    return true;
  }
  for (auto i = path.find('/'); i != std::string_view::npos; i = path.find('/', i + 1)) {
    if ((i + 1 < path.size() && (path[i + 1] == '/' || path[i + 1] == '.')) ||
        (i >= 4 && path.substr(i - 4, 4) == ".php")) {
      return true;
    }
  }
  return false;
}

// Decodes unreserved escapes and merges '/' runs from `in` into `out`; returns the length.
std::size_t DecodeAndMerge(std::string_view in, std::span<char> out) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size() && n < out.size(); ++i) {
    char c = in[i];
    if (const int byte = text::EscapedByte(in, i);
        byte >= 0 && Unreserved(static_cast<char>(byte))) {
      c = static_cast<char>(byte);
      i += 2;
    }
    if (c == '/' && n > 0 && out[n - 1] == '/') {
      continue;
    }
    out[n++] = c;
  }
  return n;
}

// Removes "." and ".." segments of the absolute path `p[0, n)` in place (RFC 3986 5.2.4);
// returns the new length. ".." at the root stays at the root, as in Apache's ap_getparents.
// In place is safe: what is written never passes what is read.
std::size_t RemoveDotSegments(char* p, std::size_t n) {
  if (n == 0 || p[0] != '/') {
    return n;
  }
  std::size_t w = 0;
  std::size_t r = 1;
  bool directory = false;  // the last segment was . or ..: the result ends in '/'
  for (;;) {
    std::size_t end = r;
    while (end < n && p[end] != '/') {
      ++end;
    }
    const std::string_view segment(p + r, end - r);
    if (segment == ".") {
      directory = true;
    } else if (segment == "..") {
      while (w > 0 && p[--w] != '/') {
      }
      directory = true;
    } else {
      p[w++] = '/';
      for (std::size_t i = r; i < end; ++i) {
        p[w++] = p[i];
      }
      directory = false;
    }
    if (end >= n) {
      break;
    }
    r = end + 1;
  }
  if (directory) {
    p[w++] = '/';
  }
  return w;
}

}  // namespace

std::string_view ResolvePath(std::string_view target, std::span<char> scratch) {
  if (StartsWithNoCase(target, "http://") || StartsWithNoCase(target, "https://")) {
    const auto authority = target.find("://") + 3;
    const auto slash = target.find('/', authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  // Not find_first_of("?#"): libstdc++ runs a memchr over the set for every character.
  target = target.substr(0, target.find('?'));
  if (const auto hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (!NeedsWork(target) || scratch.empty()) {
    return target;
  }
  std::size_t n = DecodeAndMerge(target, scratch);
  n = RemoveDotSegments(scratch.data(), n);
  std::string_view path(scratch.data(), n);
  if (const auto php = path.find(".php/"); php != std::string_view::npos) {
    path = path.substr(0, php + 4);  // PATH_INFO follows the script
  }
  return path;
}

}  // namespace edgewatch::access_log
