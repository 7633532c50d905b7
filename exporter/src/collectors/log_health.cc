#include "collectors/log_health.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kLogLinesTotal{"edgewatch_log_lines_total", prometheus::MetricType::Counter,
                                    "Lines read from the log's files."};
constexpr MetricDesc kLogBytesTotal{"edgewatch_log_bytes_total", prometheus::MetricType::Counter,
                                    "Bytes read from the log's files."};
constexpr MetricDesc kLogRotationsTotal{
    "edgewatch_log_rotations_total", prometheus::MetricType::Counter,
    "Files of the log renamed away, replaced or deleted (each drained first)."};
constexpr MetricDesc kLogTruncationsTotal{
    "edgewatch_log_truncations_total", prometheus::MetricType::Counter,
    "Files of the log that got shorter (copytruncate); reading restarted at 0."};
constexpr MetricDesc kLogLongLinesTotal{"edgewatch_log_long_lines_total",
                                        prometheus::MetricType::Counter,
                                        "Lines longer than max_line_length, cut to it."};
constexpr MetricDesc kLogReadErrorsTotal{
    "edgewatch_log_read_errors_total", prometheus::MetricType::Counter,
    "Failures to open or read the log's files (each distinct failure once)."};
constexpr MetricDesc kLogUp{"edgewatch_log_up", prometheus::MetricType::Gauge,
                            "1 if at least one file of the log is open."};
constexpr MetricDesc kLogFiles{"edgewatch_log_files", prometheus::MetricType::Gauge,
                               "Files of the log open now (those its path or glob matches)."};
constexpr const MetricDesc* kMetrics[] = {&kLogLinesTotal,
                                          &kLogBytesTotal,
                                          &kLogRotationsTotal,
                                          &kLogTruncationsTotal,
                                          &kLogLongLinesTotal,
                                          &kLogReadErrorsTotal,
                                          &kLogUp,
                                          &kLogFiles};

}  // namespace

MetricCatalogue LogHealthMetrics() { return kMetrics; }

void ExportLogHealth(MetricSink& sink, const std::string& log, const io::LogHealth& h) {
  const Labels labels = {{"log", log}};
  sink.Add(kLogLinesTotal, labels, static_cast<double>(h.lines));
  sink.Add(kLogBytesTotal, labels, static_cast<double>(h.bytes));
  sink.Add(kLogRotationsTotal, labels, static_cast<double>(h.rotations));
  sink.Add(kLogTruncationsTotal, labels, static_cast<double>(h.truncations));
  sink.Add(kLogLongLinesTotal, labels, static_cast<double>(h.long_lines));
  sink.Add(kLogReadErrorsTotal, labels, static_cast<double>(h.read_errors));
  sink.Add(kLogUp, labels, h.open_files > 0 ? 1 : 0);
  sink.Add(kLogFiles, labels, static_cast<double>(h.open_files));
}

}  // namespace edgewatch
