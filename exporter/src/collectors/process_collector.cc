#include "collectors/process_collector.h"

#include <limits>

#include "io/proc_files.h"
#include "parsers/proc/proc_stat.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kProcessCpuSecondsTotal{"process_cpu_seconds_total",
                                             prometheus::MetricType::Counter,
                                             "Total user and system CPU time spent in seconds."};
constexpr MetricDesc kProcessOpenFds{"process_open_fds", prometheus::MetricType::Gauge,
                                     "Number of open file descriptors."};
constexpr MetricDesc kProcessMaxFds{"process_max_fds", prometheus::MetricType::Gauge,
                                    "Maximum number of open file descriptors."};
constexpr MetricDesc kProcessVirtualMemoryBytes{
    "process_virtual_memory_bytes", prometheus::MetricType::Gauge, "Virtual memory size in bytes."};
constexpr MetricDesc kProcessResidentMemoryBytes{"process_resident_memory_bytes",
                                                 prometheus::MetricType::Gauge,
                                                 "Resident memory size in bytes."};
constexpr MetricDesc kProcessStartTimeSeconds{
    "process_start_time_seconds", prometheus::MetricType::Gauge,
    "Start time of the process since unix epoch in seconds."};
constexpr const MetricDesc* kMetrics[] = {&kProcessCpuSecondsTotal,
                                          &kProcessOpenFds,
                                          &kProcessMaxFds,
                                          &kProcessVirtualMemoryBytes,
                                          &kProcessResidentMemoryBytes,
                                          &kProcessStartTimeSeconds};

}  // namespace

ProcessCollector::ProcessCollector(std::string procfs_root)
    : root_(std::move(procfs_root)),
      ticks_per_second_(static_cast<double>(io::ClockTicksPerSecond())),
      page_size_(static_cast<double>(io::PageSizeBytes())) {}

Status ProcessCollector::Collect(MetricSink& sink) const {
  auto stat_text = io::ReadSmallFile(root_ + "/self/stat");
  auto limits_text = io::ReadSmallFile(root_ + "/self/limits");
  auto system_stat_text = io::ReadSmallFile(root_ + "/stat");
  auto fds = io::CountDirectoryEntries(root_ + "/self/fd");
  for (const Error* e :
       {stat_text ? nullptr : &stat_text.error(), limits_text ? nullptr : &limits_text.error(),
        system_stat_text ? nullptr : &system_stat_text.error(), fds ? nullptr : &fds.error()}) {
    if (e != nullptr) {
      return *e;
    }
  }
  const auto stat = proc::ParseProcessStat(*stat_text);
  const auto max_fds = proc::ParseMaxOpenFiles(*limits_text);
  const auto boot_time = proc::ParseBootTime(*system_stat_text);
  if (!stat || !max_fds || !boot_time) {
    return Error{"unexpected format in " + root_ + "/self/stat, self/limits or stat"};
  }
  sink.Add(kProcessCpuSecondsTotal, {},
           static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second_);
  sink.Add(kProcessOpenFds, {}, static_cast<double>(*fds));
  sink.Add(kProcessMaxFds, {},
           *max_fds == std::numeric_limits<std::uint64_t>::max()
               ? std::numeric_limits<double>::infinity()
               : static_cast<double>(*max_fds));
  sink.Add(kProcessVirtualMemoryBytes, {}, static_cast<double>(stat->vsize_bytes));
  sink.Add(kProcessResidentMemoryBytes, {}, static_cast<double>(stat->rss_pages) * page_size_);
  sink.Add(kProcessStartTimeSeconds, {},
           static_cast<double>(*boot_time) +
               static_cast<double>(stat->starttime_ticks) / ticks_per_second_);
  return {};
}

// Always built anew: it keeps no state.
const CollectorRegistration kProcessCollector = {
    "process",
    "the exporter's own CPU, memory and file descriptors (process_*)",
    [](const Config& c) { return c.Section<ProcessConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<ProcessCollector>(context.procfs_root);
    },
    nullptr,
    {},
    kMetrics,
    &kProcessSection,
};

}  // namespace edgewatch
