// node.load.get: /proc/loadavg.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/paths.h"

namespace osapi::provider {

struct LoadAverages {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};

Result<LoadAverages> parse_loadavg(std::string_view text);
nlohmann::ordered_json to_json(const LoadAverages& l);
// {"Load1":…,"Load5":…,"Load15":…}.
Result<nlohmann::ordered_json> load(const Paths& paths = {});
// The same reading as a struct (the agent's heartbeat and its HighLoad condition).
Result<LoadAverages> load_averages(const Paths& paths = {});

}  // namespace osapi::provider
