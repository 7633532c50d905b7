#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/access_log/request_path.h"

// Input: a request target. Checks what must hold for any: the result is no longer than the
// input and, when it is an absolute path, holds no "//", "/./" or "/../". (Resolving twice may
// change it again, as ".%%32%65" -> ".%2e" -> "..": Apache decodes once, and so does this.)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using edgewatch::access_log::ResolvePath;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::array<char, 512> scratch{};
  const auto path = ResolvePath(in, scratch);
  const bool absolute = path.starts_with('/');
  if (path.size() > in.size() || (absolute && (path.find("//") != std::string_view::npos ||
                                               path.find("/./") != std::string_view::npos ||
                                               path.find("/../") != std::string_view::npos))) {
    std::abort();
  }
  return 0;
}
