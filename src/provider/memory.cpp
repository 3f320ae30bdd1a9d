#include "provider/memory.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string>

#include "common/strings.h"
#include "provider/file_util.h"

namespace osapi::provider {

Result<MemoryStats> parse_meminfo(std::string_view text) {
  std::map<std::string, uint64_t> kb;
  for (const auto& line : split(text, '\n')) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    if (key != "MemTotal" && key != "MemFree" && key != "Cached" && key != "SReclaimable" &&
        key != "MemAvailable") {
      continue;
    }
    std::string value = trim(std::string_view(line).substr(colon + 1));
    if (value.size() > 2 && value.compare(value.size() - 2, 2, "kB") == 0) {
      value = trim(std::string_view(value).substr(0, value.size() - 2));
    }
    uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
      return Error(ErrorCode::kInternal,
                   "invalid meminfo value for " + key + ": \"" + to_valid_utf8(value) + "\"");
    }
    kb[key] = v;
  }
  const auto bytes = [&](const char* key) -> uint64_t {
    const auto it = kb.find(key);
    if (it == kb.end()) return 0;
    uint64_t r = 0;
    return __builtin_mul_overflow(it->second, uint64_t{1024}, &r) ? UINT64_MAX : r;
  };
  for (const char* required : {"MemTotal", "MemFree"}) {
    if (kb.find(required) == kb.end()) {
      return Error(ErrorCode::kInternal, std::string(required) + " not found in meminfo");
    }
  }
  MemoryStats m;
  m.total = bytes("MemTotal");
  m.free = bytes("MemFree");
  const uint64_t cached = bytes("Cached");
  const uint64_t reclaimable = bytes("SReclaimable");
  m.cached = cached > UINT64_MAX - reclaimable ? UINT64_MAX : cached + reclaimable;
  if (kb.count("MemAvailable")) {
    m.available = bytes("MemAvailable");
  } else {
    const uint64_t estimate = m.free > UINT64_MAX - m.cached ? UINT64_MAX : m.free + m.cached;
    m.available = std::min(estimate, m.total);
  }
  return m;
}

nlohmann::ordered_json to_json(const MemoryStats& m) {
  nlohmann::ordered_json out;
  out["Total"] = m.total;
  out["Free"] = m.free;
  out["Cached"] = m.cached;
  return out;
}

Result<MemoryStats> memory_stats(const Paths& paths) {
  auto text = read_small_file(paths.proc_root + "/meminfo");
  if (!text.ok()) return text.error();
  return parse_meminfo(*text);
}

Result<nlohmann::ordered_json> memory(const Paths& paths) {
  auto stats = memory_stats(paths);
  if (!stats.ok()) return stats.error();
  return to_json(*stats);
}

}  // namespace osapi::provider
