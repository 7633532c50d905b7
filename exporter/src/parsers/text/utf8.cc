#include "parsers/text/utf8.h"

namespace edgewatch::text {
namespace {

bool Continuation(unsigned char c) { return c >= 0x80 && c <= 0xBF; }

}  // namespace

std::size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) {
    return 0;
  }
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    return 1;
  }
  // The second byte's range depends on the first (excluding overlongs and surrogates).
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  std::size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    low = c == 0xE0 ? 0xA0 : 0x80;
    high = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    low = c == 0xF0 ? 0x90 : 0x80;
    high = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (s.size() < n || b(1) < low || b(1) > high) {
    return 0;
  }
  for (std::size_t i = 2; i < n; ++i) {
    if (!Continuation(b(i))) {
      return 0;
    }
  }
  return n;
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      s.remove_prefix(1);
    } else {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    }
  }
  return out;
}

}  // namespace edgewatch::text
