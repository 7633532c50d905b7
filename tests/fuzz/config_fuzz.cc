// The config decoder on any text: every section of every collector, as check-config reads it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "collectors/registry.h"
#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto sections = edgewatch::ConfigSectionsOf(edgewatch::AllCollectors());
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)edgewatch::ParseConfig(text, "fuzz.yml", sections);
  return 0;
}
