// List cost against the store's size: GET /api/job and GET /api/audit pages with 1k, 10k and
// 100k records present, filled straight into NATS (the controller's index follows the writes).
#pragma once

#include <nlohmann/json.hpp>

namespace osapi::bench {

// {"sizes":[1000,10000,100000],"routes":{"<name>":{"1000":{p50_us,p99_us,...},...}}}
nlohmann::json run_list_cost(bool quick);

}  // namespace osapi::bench
