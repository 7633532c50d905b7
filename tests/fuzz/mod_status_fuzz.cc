#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/mod_status/mod_status.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto status =
      edgewatch::mod_status::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (status) {
    (void)edgewatch::mod_status::ChildProcessLimit(*status, 0);
    (void)edgewatch::mod_status::ChildProcessLimit(*status, 150);
  }
  return 0;
}
