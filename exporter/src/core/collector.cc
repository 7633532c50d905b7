#include "core/collector.h"

namespace edgewatch {

std::string_view InputFlag(InputKind kind) {
  switch (kind) {
    case InputKind::kPcap:
      return "--pcap";
    case InputKind::kAccessLog:
      return "--access-log";
    case InputKind::kMailLog:
      return "--mail-log";
    case InputKind::kModStatus:
      return "--mod-status";
  }
  return "--unknown";
}

Status Collector::Replay(InputKind kind, const std::string& /*path*/) {
  return Error{"this collector does not read " + std::string(InputFlag(kind)) + " files"};
}

}  // namespace edgewatch
