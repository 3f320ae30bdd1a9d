// Store-size and mixed-load figures. List cost: GET /api/job and GET /api/audit pages with 1k,
// 10k and 100k records present, filled straight into NATS (the controller's index follows).
#pragma once

#include <nlohmann/json.hpp>

namespace osapi::bench {

// {"sizes":[1000,10000,100000],"routes":{"<name>":{"1000":{p50_us,p99_us,...},...}}}
nlohmann::json run_list_cost(bool quick);

// 64 clients, 20,000 requests mixed over node hostname, job list and get, health status and
// audit list, against one stack with an agent: errors, p50, p99, req/s, and peak RSS of
// nats-server, controller and agent.
nlohmann::json run_mixed_load(bool quick);

}  // namespace osapi::bench
