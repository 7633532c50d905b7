#include "collectors/log_health.h"

namespace edgewatch {

void ExportLogHealth(MetricSink& sink, const std::string& log, const io::LogHealth& h) {
  const Labels labels = {{"log", log}};
  sink.Counter("edgewatch_log_lines_total", "Lines read from the log's files.", labels,
               static_cast<double>(h.lines));
  sink.Counter("edgewatch_log_bytes_total", "Bytes read from the log's files.", labels,
               static_cast<double>(h.bytes));
  sink.Counter("edgewatch_log_rotations_total",
               "Files of the log renamed away, replaced or deleted (each drained first).", labels,
               static_cast<double>(h.rotations));
  sink.Counter("edgewatch_log_truncations_total",
               "Files of the log that got shorter (copytruncate); reading restarted at 0.", labels,
               static_cast<double>(h.truncations));
  sink.Counter("edgewatch_log_long_lines_total", "Lines longer than max_line_length, cut to it.",
               labels, static_cast<double>(h.long_lines));
  sink.Counter("edgewatch_log_read_errors_total",
               "Failures to open or read the log's files (each distinct failure once).", labels,
               static_cast<double>(h.read_errors));
  sink.Gauge("edgewatch_log_up", "1 if at least one file of the log is open.", labels,
             h.open_files > 0 ? 1 : 0);
}

}  // namespace edgewatch
