#include "provider/status.h"

#include "logging/logger.h"
#include "provider/hostname.h"
#include "provider/load.h"
#include "provider/memory.h"
#include "provider/os_info.h"
#include "provider/uptime.h"

namespace osapi::provider {
namespace {

template <typename T>
nlohmann::ordered_json value_or_null(const Result<T>& r, const char* part) {
  if (r.ok()) return nlohmann::ordered_json(r.value());
  logging::debug("node status part unavailable", {{"part", part}, {"error", r.error().message}});
  return nullptr;
}

}  // namespace

nlohmann::ordered_json status(const Paths& paths, const StatvfsFn& stat) {
  nlohmann::ordered_json out;
  out["hostname"] = value_or_null(kernel_hostname(), "hostname");
  out["os_info"] = value_or_null(os_info(paths), "os_info");
  auto secs = uptime_seconds(paths);
  out["uptime"] =
      secs.ok() ? nlohmann::ordered_json(*secs * 1'000'000'000LL) : value_or_null(secs, "uptime");
  out["disk_usage"] = value_or_null(disk_usage(paths, stat), "disk_usage");
  out["memory_stats"] = value_or_null(memory(paths), "memory_stats");
  out["load_averages"] = value_or_null(load(paths), "load_averages");
  return out;
}

}  // namespace osapi::provider
