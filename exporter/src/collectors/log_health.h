#pragma once

#include <string>

#include "core/metric_sink.h"
#include "io/file_follower.h"

namespace edgewatch {

// The edgewatch_log_* series of one followed log (access and mail logs alike).
void ExportLogHealth(MetricSink& sink, const std::string& log, const io::LogHealth& health);

// The edgewatch_log_* families.
MetricCatalogue LogHealthMetrics();

}  // namespace edgewatch
