// The REST rendering of an agent (GET /api/agent, /api/agent/{hostname}): the registration
// merged with the agent's facts, status from the heartbeat's age.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "job/agent_record.h"

namespace osapi::api {

// An agent whose last heartbeat is older than this answers status NotReady (it heartbeats
// every 10 s; the registry entry itself expires after nats.registry.ttl).
inline constexpr std::chrono::seconds kNotReadyAfter{25};

// `facts` is the agent's facts record (null when none); `now` decides Ready/NotReady.
nlohmann::ordered_json agent_json(const job::AgentInfo& a, const nlohmann::ordered_json& facts,
                                  std::chrono::system_clock::time_point now);

}  // namespace osapi::api
