// node.memory.get: /proc/meminfo (spec/agent.md §5).
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
};

// Values in bytes (kB × 1024). MemTotal and MemFree are required.
Result<MemoryStats> parse_meminfo(std::string_view text);
nlohmann::ordered_json to_json(const MemoryStats& m);
// {"Total":…,"Free":…,"Cached":…}.
Result<nlohmann::ordered_json> memory(const Paths& paths = {});

}  // namespace osapi::provider
