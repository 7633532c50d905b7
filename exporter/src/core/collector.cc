#include "core/collector.h"

namespace edgewatch {

Status Collector::Replay(const std::string& /*path*/) {
  return Error{"this collector replays no files"};
}

namespace {

// An input without times: read whole when opened, it has no next record.
class TimelessReplay final : public ReplaySource {
 public:
  std::optional<std::int64_t> NextTime() override { return std::nullopt; }
  Status ReadUntil(std::int64_t /*until_ns*/) override { return {}; }
};

}  // namespace

Expected<std::unique_ptr<ReplaySource>> Collector::OpenReplay(const std::string& path) {
  if (Status s = Replay(path); !s) {
    return s.error();
  }
  return std::unique_ptr<ReplaySource>(std::make_unique<TimelessReplay>());
}

}  // namespace edgewatch
