// Fuzz target for text::LineSplitter: the first two bytes choose max_line and the chunk size; the
// rest arrives in chunks. Every line handed on must be at most max_line bytes, hold no newline,
// and (when not cut) end in no CR; what is not cut must be a piece of the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "parsers/text/line_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::size_t max_line = 1 + data[0] % 64;
  const std::size_t chunk = 1 + data[1] % 32;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  edgewatch::text::LineSplitter splitter(max_line, chunk);
  std::size_t total = 0;
  auto check = [&](std::string_view line, bool cut) {
    if (line.size() > max_line || line.find('\n') != std::string_view::npos ||
        (!cut && !line.empty() && line.back() == '\r') ||
        (!cut && input.find(line) == std::string_view::npos)) {
      std::abort();
    }
    total += line.size();
  };
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    const std::size_t n = std::min(chunk, input.size() - at);
    std::memcpy(splitter.WriteArea().data(), input.data() + at, n);
    splitter.Commit(n, check);
    if (splitter.pending() > max_line) {
      std::abort();
    }
  }
  splitter.Finish(check);
  if (total > input.size()) {
    std::abort();
  }
  return 0;
}
