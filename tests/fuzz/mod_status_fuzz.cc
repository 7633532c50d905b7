#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/mod_status/mod_status.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)edgewatch::mod_status::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
