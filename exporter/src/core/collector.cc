#include "core/collector.h"

namespace edgewatch {

Status Collector::Replay(const std::string& /*path*/) {
  return Error{"this collector replays no files"};
}

}  // namespace edgewatch
