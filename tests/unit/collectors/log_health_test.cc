#include "collectors/log_health.h"

#include <gtest/gtest.h>

#include <sstream>

#include "prometheus/text_serializer.h"

namespace edgewatch {
namespace {

TEST(LogHealthTest, ExportsEveryCounterAndUpWhileAFileIsOpen) {
  io::LogHealth h;
  h.lines = 10;
  h.bytes = 999;
  h.rotations = 1;
  h.truncations = 2;
  h.long_lines = 3;
  h.read_errors = 4;
  MetricSink sink;
  ExportLogHealth(sink, "mail", h);
  h.open_files = 2;
  ExportLogHealth(sink, "web", h);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, std::move(sink).Take());
  const std::string t = out.str();
  for (const char* line :
       {"edgewatch_log_lines_total{log=\"mail\"} 10\n",
        "edgewatch_log_bytes_total{log=\"mail\"} 999\n",
        "edgewatch_log_rotations_total{log=\"mail\"} 1\n",
        "edgewatch_log_truncations_total{log=\"mail\"} 2\n",
        "edgewatch_log_long_lines_total{log=\"mail\"} 3\n",
        "edgewatch_log_read_errors_total{log=\"mail\"} 4\n", "edgewatch_log_up{log=\"mail\"} 0\n",
        "edgewatch_log_up{log=\"web\"} 1\n", "edgewatch_log_files{log=\"mail\"} 0\n",
        "edgewatch_log_files{log=\"web\"} 2\n"}) {
    EXPECT_NE(t.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(LogHealthMetrics().size(), 11u);
}

TEST(LogHealthTest, AJournalLogHasItsOwnSeriesAndNoRotations) {
  io::JournalHealth h;
  h.log.lines = 7;
  h.log.open_files = 1;
  h.lag_seconds = 2.5;
  h.cursor_misses = 1;
  h.cursor_write_errors = 3;
  MetricSink sink;
  ExportJournalHealth(sink, "mail", h);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, std::move(sink).Take());
  const std::string t = out.str();
  for (const char* line :
       {"edgewatch_log_lines_total{log=\"mail\"} 7\n", "edgewatch_log_up{log=\"mail\"} 1\n",
        "edgewatch_log_journal_lag_seconds{log=\"mail\"} 2.5\n",
        "edgewatch_log_journal_cursor_misses_total{log=\"mail\"} 1\n",
        "edgewatch_log_journal_cursor_write_errors_total{log=\"mail\"} 3\n"}) {
    EXPECT_NE(t.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(t.find("edgewatch_log_rotations_total"), std::string::npos);
}

}  // namespace
}  // namespace edgewatch
