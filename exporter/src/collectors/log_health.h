#pragma once

#include <string>

#include "core/metric_sink.h"
#include "io/file_follower.h"
#include "io/journal_reader.h"

namespace edgewatch {

// The edgewatch_log_* series of one followed log (access and mail logs alike).
void ExportLogHealth(MetricSink& sink, const std::string& log, const io::LogHealth& health);

// Those of a journal log: the file logs' less rotations and truncations (sd-journal's own
// business), plus lag and cursor health.
void ExportJournalHealth(MetricSink& sink, const std::string& log, const io::JournalHealth& health);

// The edgewatch_log_* families.
MetricCatalogue LogHealthMetrics();

}  // namespace edgewatch
