// node.uptime.get: /proc/uptime, truncated to whole seconds.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/paths.h"

namespace osapi::provider {

// First field of /proc/uptime text, truncated to whole seconds.
Result<int64_t> parse_uptime(std::string_view text);
Result<int64_t> uptime_seconds(const Paths& paths = {});
// {"uptime_seconds":12345.0,"uptime":"3h25m45s"}.
Result<nlohmann::ordered_json> uptime(const Paths& paths = {});

}  // namespace osapi::provider
