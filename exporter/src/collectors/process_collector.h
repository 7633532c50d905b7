#pragma once

#include <memory>
#include <string>

#include "collectors/registry.h"
#include "config/process_config.h"
#include "core/collector.h"

namespace edgewatch {

// The standard process_* metrics of the exporter itself, read from <procfs>/self and
// <procfs>/stat at scrape time.
class ProcessCollector final : public Collector {
 public:
  explicit ProcessCollector(std::string procfs_root);
  Status Collect(MetricSink& sink) const override;

 private:
  std::string root_;
  double ticks_per_second_;
  double page_size_;
};

extern const CollectorRegistration kProcessCollector;

}  // namespace edgewatch
