#include <cstddef>
#include <cstdint>
#include <span>

#include "parsers/ntp/ntp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto packet =
      edgewatch::ntp::Classify(std::span(reinterpret_cast<const std::byte*>(data), size));
  if (packet) {
    (void)packet->IsMonlistAnswer();
  }
  return 0;
}
