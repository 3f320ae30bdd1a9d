#include "provider/load.h"

#include <charconv>
#include <cmath>
#include <string>

#include "common/strings.h"
#include "provider/file_util.h"

namespace osapi::provider {

Result<LoadAverages> parse_loadavg(std::string_view text) {
  double values[3] = {};
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    size_t end = pos;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != '\n') ++end;
    const std::string_view field = text.substr(pos, end - pos);
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), values[i]);
    if (field.empty() || ec != std::errc() || ptr != field.data() + field.size() ||
        !std::isfinite(values[i]) || values[i] < 0) {
      return Error(ErrorCode::kInternal,
                   "invalid loadavg data: \"" + to_valid_utf8(trim(text.substr(0, 64))) + "\"");
    }
    pos = end;
  }
  return LoadAverages{values[0], values[1], values[2]};
}

nlohmann::ordered_json to_json(const LoadAverages& l) {
  nlohmann::ordered_json out;
  out["Load1"] = l.load1;
  out["Load5"] = l.load5;
  out["Load15"] = l.load15;
  return out;
}

Result<LoadAverages> load_averages(const Paths& paths) {
  auto text = read_small_file(paths.proc_root + "/loadavg");
  if (!text.ok()) return text.error();
  return parse_loadavg(*text);
}

Result<nlohmann::ordered_json> load(const Paths& paths) {
  auto avg = load_averages(paths);
  if (!avg.ok()) return avg.error();
  return to_json(*avg);
}

}  // namespace osapi::provider
