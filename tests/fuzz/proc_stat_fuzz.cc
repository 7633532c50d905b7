#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/proc/proc_stat.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgewatch::proc::ParseProcessStat(text);
  (void)edgewatch::proc::ParseMaxOpenFiles(text);
  (void)edgewatch::proc::ParseBootTime(text);
  (void)edgewatch::proc::ParseLoadAverage(text);
  (void)edgewatch::proc::ParsePidFile(text);
  return 0;
}
