// The stateful collectors end to end on any bytes: the first byte picks a collector with a
// replay input (access_log, mail_log, reflection, httpd), the rest is the file it replays
// (an access or mail log, a capture, a status page). Replay() then Collect() run the source,
// parser, state and export of that collector, as `edgewatch replay` does.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/registry.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/metric_sink.h"

namespace {

// Fixed time: replay runs on the inputs' own times.
class FixedClock final : public edgewatch::Clock {
 public:
  SystemTime Now() const override { return SystemTime{}; }
  MonotonicTime Monotonic() const override { return MonotonicTime{}; }
};

std::vector<const edgewatch::CollectorRegistration*> Replayable() {
  std::vector<const edgewatch::CollectorRegistration*> out;
  for (const auto& r : edgewatch::AllCollectors()) {
    if (!r.replay.flag.empty()) {
      out.push_back(&r);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto replayable = Replayable();
  static const auto config =
      edgewatch::DefaultConfig(edgewatch::ConfigSectionsOf(edgewatch::AllCollectors()));
  static const FixedClock clock;
  static std::ostringstream log;
  static const std::string path = "/tmp/edgewatch-fuzz-" + std::to_string(::getpid());
  if (size == 0) {
    return 0;
  }
  const auto& registration = *replayable[data[0] % replayable.size()];
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  log.str("");
  const edgewatch::CollectorContext context{
      config, clock,
      edgewatch::Logger(log, edgewatch::LogLevel::kError, edgewatch::LogFormat::kLogfmt, clock),
      "/proc"};
  auto collector = registration.make(context);
  if (collector->Replay(path)) {
    edgewatch::MetricSink sink;
    (void)collector->Collect(sink);
  }
  return 0;
}
