// Host and process conditions shipped in every registration: MemoryPressure, HighLoad,
// DiskPressure, and — only when their thresholds are set — ProcessMemoryPressure and
// ProcessHighCPU. Pure functions of the readings, so they are tested without a host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "config/config.h"
#include "job/agent_record.h"

namespace osapi::agent {

inline constexpr const char* kMemoryPressure = "MemoryPressure";
inline constexpr const char* kHighLoad = "HighLoad";
inline constexpr const char* kDiskPressure = "DiskPressure";
inline constexpr const char* kProcessMemoryPressure = "ProcessMemoryPressure";
inline constexpr const char* kProcessHighCPU = "ProcessHighCPU";

struct DiskReading {
  std::string name;  // mount point
  uint64_t total = 0;
  uint64_t used = 0;
};

// What one heartbeat could read; a part that failed stays empty and its condition is false.
struct ConditionInputs {
  std::optional<uint64_t> mem_total, mem_available;
  std::optional<double> load1;
  int cpu_count = 0;  // from facts; 0 → HighLoad false
  std::vector<DiskReading> disks;
  std::optional<double> process_cpu_percent;
  std::optional<int64_t> process_rss_bytes;
};

// Evaluated in the order listed above. A condition whose status equals its previous status
// keeps the previous last_transition_time; otherwise it is `now`.
std::vector<job::Condition> evaluate_conditions(const ConditionInputs& in,
                                                const config::Conditions& host,
                                                const config::ProcessConditions& process,
                                                const std::vector<job::Condition>& previous,
                                                Clock::time_point now);

}  // namespace osapi::agent
