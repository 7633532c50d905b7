#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace edgewatch {

// The value computed from the last text, kept while texts repeat (the lines of one second, of
// one site): a comparison costs a fraction of parsing again. `compute` must be pure; texts
// longer than N are computed every time.
template <std::size_t N, typename Value>
class LastTextMemo {
 public:
  template <typename Compute>
  const Value& Get(std::string_view text, Compute&& compute) {
    if (!held_ || text != std::string_view(text_.data(), size_)) {
      value_ = compute(text);
      held_ = text.size() <= N;
      size_ = held_ ? text.size() : 0;
      std::copy_n(text.data(), size_, text_.data());
    }
    return value_;
  }

 private:
  std::array<char, N> text_{};
  std::size_t size_ = 0;
  bool held_ = false;
  Value value_{};
};

}  // namespace edgewatch
