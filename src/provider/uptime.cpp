#include "provider/uptime.h"

#include <charconv>
#include <chrono>
#include <cmath>

#include "common/time.h"
#include "provider/file_util.h"

namespace osapi::provider {

Result<int64_t> parse_uptime(std::string_view text) {
  size_t end = 0;
  while (end < text.size() && text[end] != ' ' && text[end] != '\n' && text[end] != '\t') ++end;
  const std::string_view field = text.substr(0, end);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  // Upper bound keeps the nanosecond conversion in status() inside int64.
  if (field.empty() || ec != std::errc() || ptr != field.data() + field.size() ||
      !std::isfinite(value) || value < 0 || value > 9.0e9) {
    return Error(ErrorCode::kInternal, "invalid uptime value: \"" + std::string(field) + "\"");
  }
  return static_cast<int64_t>(value);
}

Result<int64_t> uptime_seconds(const Paths& paths) {
  auto text = read_small_file(paths.proc_root + "/uptime");
  if (!text.ok()) return text.error();
  return parse_uptime(*text);
}

Result<nlohmann::ordered_json> uptime(const Paths& paths) {
  auto secs = uptime_seconds(paths);
  if (!secs.ok()) return secs.error();
  nlohmann::ordered_json out;
  out["uptime_seconds"] = static_cast<double>(*secs);
  out["uptime"] = format_go_duration(std::chrono::seconds(*secs));
  return out;
}

}  // namespace osapi::provider
