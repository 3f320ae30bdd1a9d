// CPU time and resident memory of one process (the agent itself by default), read from
// /proc/<pid>/stat and /proc/<pid>/statm. The registration reports them and derives the
// ProcessHighCPU / ProcessMemoryPressure conditions from them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "provider/paths.h"

namespace osapi::provider {

struct ProcessSample {
  double cpu_seconds = 0;  // user + system time so far
  double age_seconds = 0;  // seconds since the process started
  int64_t rss_bytes = 0;
};

// /proc/<pid>/stat text → utime+stime and starttime in clock ticks. The command name may hold
// spaces and parentheses, so fields are counted from the last ')'.
struct StatTicks {
  uint64_t cpu_ticks = 0;
  uint64_t start_ticks = 0;  // since boot
};
Result<StatTicks> parse_proc_stat(std::string_view text);

// `pid` "self" = the calling process.
Result<ProcessSample> sample_process(const Paths& paths = {}, const std::string& pid = "self");

// CPU percent between two samples of the same process (100 = one core busy); the first
// sample's lifetime average when `previous` is null. 0 when no time passed.
double cpu_percent(const ProcessSample& current, const ProcessSample* previous);

}  // namespace osapi::provider
