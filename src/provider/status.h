// node.status.get: every node fact in one object; a failing part becomes null
//.
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/disk.h"
#include "provider/paths.h"

namespace osapi::provider {

// {"hostname","os_info","uptime"(int ns),"disk_usage":[…],"memory_stats","load_averages"}.
// Never fails as a whole: each part that fails is null (and logged at Debug).
nlohmann::ordered_json status(const Paths& paths = {}, const StatvfsFn& stat = {});

}  // namespace osapi::provider
