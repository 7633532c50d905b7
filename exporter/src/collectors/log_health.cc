#include "collectors/log_health.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kLogLinesTotal{
    "edgewatch_log_lines_total", prometheus::MetricType::Counter,
    "Lines read from the log: its files' lines, or the journal entries it matched."};
constexpr MetricDesc kLogBytesTotal{
    "edgewatch_log_bytes_total", prometheus::MetricType::Counter,
    "Bytes read from the log's files (of a journal log: its entries' messages)."};
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
                            "1 if at least one file of the log (of its journal) is open."};
constexpr MetricDesc kLogFiles{"edgewatch_log_files", prometheus::MetricType::Gauge,
                               "Files of the log open now (those its path or glob matches; of a "
                               "journal log, 1 while the journal has files)."};
constexpr MetricDesc kLogJournalLagSeconds{
    "edgewatch_log_journal_lag_seconds", prometheus::MetricType::Gauge,
    "How far a journal log's reading was behind the journal's newest entry after its last round "
    "(0: caught up)."};
constexpr MetricDesc kLogJournalCursorMissesTotal{
    "edgewatch_log_journal_cursor_misses_total", prometheus::MetricType::Counter,
    "Resumes at a saved cursor whose entry was no longer in the journal (vacuumed): what was "
    "vacuumed in between is not counted."};
constexpr MetricDesc kLogJournalCursorWriteErrorsTotal{
    "edgewatch_log_journal_cursor_write_errors_total", prometheus::MetricType::Counter,
    "Failures to write a journal log's cursor file: a restart cannot resume where it was."};
constexpr const MetricDesc* kMetrics[] = {&kLogLinesTotal,
                                          &kLogBytesTotal,
                                          &kLogRotationsTotal,
                                          &kLogTruncationsTotal,
                                          &kLogLongLinesTotal,
                                          &kLogReadErrorsTotal,
                                          &kLogUp,
                                          &kLogFiles,
                                          &kLogJournalLagSeconds,
                                          &kLogJournalCursorMissesTotal,
                                          &kLogJournalCursorWriteErrorsTotal};

}  // namespace

MetricCatalogue LogHealthMetrics() { return kMetrics; }

namespace {

// The series file and journal logs share.
void ExportCommon(MetricSink& sink, const Labels& labels, const io::LogHealth& h) {
  sink.Add(kLogLinesTotal, labels, static_cast<double>(h.lines));
  sink.Add(kLogBytesTotal, labels, static_cast<double>(h.bytes));
  sink.Add(kLogLongLinesTotal, labels, static_cast<double>(h.long_lines));
  sink.Add(kLogReadErrorsTotal, labels, static_cast<double>(h.read_errors));
  sink.Add(kLogUp, labels, h.open_files > 0 ? 1 : 0);
  sink.Add(kLogFiles, labels, static_cast<double>(h.open_files));
}

}  // namespace

void ExportLogHealth(MetricSink& sink, const std::string& log, const io::LogHealth& h) {
  const Labels labels = {{"log", log}};
  ExportCommon(sink, labels, h);
  sink.Add(kLogRotationsTotal, labels, static_cast<double>(h.rotations));
  sink.Add(kLogTruncationsTotal, labels, static_cast<double>(h.truncations));
}

void ExportJournalHealth(MetricSink& sink, const std::string& log, const io::JournalHealth& h) {
  const Labels labels = {{"log", log}};
  ExportCommon(sink, labels, h.log);
  sink.Add(kLogJournalLagSeconds, labels, h.lag_seconds);
  sink.Add(kLogJournalCursorMissesTotal, labels, static_cast<double>(h.cursor_misses));
  sink.Add(kLogJournalCursorWriteErrorsTotal, labels, static_cast<double>(h.cursor_write_errors));
}

}  // namespace edgewatch
