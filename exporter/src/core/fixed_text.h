#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace edgewatch {

// Text cut to N bytes, so that top-K keys have a fixed size and need no allocation. A hash of
// the text is kept with it: a top-K table compares every held key with each new one, and
// unequal keys differ in it nearly always, with no memcmp.
template <std::size_t N>
class FixedText {
 public:
  static_assert(N < 256);

  static FixedText From(std::string_view s) { return Make(s, false); }
  // The same in ASCII lower case.
  static FixedText FromLower(std::string_view s) { return Make(s, true); }

  std::string_view view() const { return {text_.data(), size_}; }
  // For hash tables (TimedTable): 64 bits whose two halves both vary with the text.
  struct Hash {
    std::uint64_t operator()(const FixedText& t) const {
      const std::uint64_t h = (t.hash_ | 1ULL << 32) * 0x9E3779B97F4A7C15ULL;
      return h ^ (h >> 31);
    }
  };
  bool operator==(const FixedText& o) const { return hash_ == o.hash_ && view() == o.view(); }
  bool operator<(const FixedText& o) const { return view() < o.view(); }

 private:
  static FixedText Make(std::string_view s, bool lower) {
    FixedText k;
    k.size_ = static_cast<std::uint8_t>(std::min(s.size(), N));
    for (std::size_t i = 0; i < k.size_; ++i) {
      const char c = s[i];
      k.text_[i] = lower && c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    // Whole words: the bytes after the text are zero.
    std::uint64_t h = k.size_;
    for (std::size_t i = 0; i < k.size_; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, k.text_.data() + i, sizeof word);
      h = (h ^ word) * 0x9E3779B97F4A7C15ULL;
      h ^= h >> 29;
    }
    k.hash_ = static_cast<std::uint32_t>(h ^ (h >> 32));
    return k;
  }

  std::array<char, (N + 7) / 8 * 8> text_{};
  std::uint8_t size_ = 0;
  std::uint32_t hash_ = 0;
};

}  // namespace edgewatch
