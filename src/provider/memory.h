// node.memory.get: /proc/meminfo.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/paths.h"

namespace osapi::provider {

struct MemoryStats {
  uint64_t total = 0;   // MemTotal
  uint64_t free = 0;    // MemFree
  uint64_t cached = 0;  // Cached + SReclaimable
  // MemAvailable; kernels before 3.14 lack it, then Free + Cached (at most Total).
  uint64_t available = 0;
};

// Values in bytes (kB × 1024). MemTotal and MemFree are required.
Result<MemoryStats> parse_meminfo(std::string_view text);
nlohmann::ordered_json to_json(const MemoryStats& m);
// {"Total":…,"Free":…,"Cached":…}.
Result<nlohmann::ordered_json> memory(const Paths& paths = {});
// The same reading as a struct (the agent's heartbeat and its MemoryPressure condition).
Result<MemoryStats> memory_stats(const Paths& paths = {});

}  // namespace osapi::provider
