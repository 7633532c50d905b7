#pragma once

#include <cstddef>
#include <string_view>

namespace edgewatch::text {

// The value of hex digit `c`, or -1.
constexpr int HexDigit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

// The byte a "%XY" escape at `s[i]` stands for, or -1 when there is none there.
constexpr int EscapedByte(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size()) {
    return -1;
  }
  const int hi = HexDigit(s[i + 1]);
  const int lo = HexDigit(s[i + 2]);
  return s[i] == '%' && hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
}

// Decodes every "%XY" of `p[0, n)` in place (a decoding only shortens); returns the new length.
inline std::size_t PercentDecodeInPlace(char* p, std::size_t n) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const int byte = EscapedByte(std::string_view(p, n), r);
    p[w++] = byte >= 0 ? static_cast<char>(byte) : p[r];
    r += byte >= 0 ? 2 : 0;
  }
  return w;
}

}  // namespace edgewatch::text
