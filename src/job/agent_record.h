// An agent's registration in the registry KV (`agents.<machine-id*>`), rewritten by the agent
// on every heartbeat; the controller reads it for listings, targets and broadcasts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::job {

using json = nlohmann::ordered_json;

// Agent states: Ready, Pending (waiting for enrollment), Draining, Cordoned.
inline constexpr const char* kStateReady = "Ready";
inline constexpr const char* kStatePending = "Pending";
inline constexpr const char* kStateDraining = "Draining";
inline constexpr const char* kStateCordoned = "Cordoned";

struct Condition {
  std::string type;  // MemoryPressure | HighLoad | DiskPressure | ProcessMemoryPressure | …
  bool status = false;
  std::string reason;
  std::string last_transition_time;  // RFC 3339
};

struct SubComponent {
  std::string status;  // ok | disabled | error
  std::string address;
};

struct AgentInfo {
  std::string machine_id;
  std::string hostname;
  std::map<std::string, std::string> labels;
  std::string registered_at;  // RFC 3339 with nanoseconds: the write time
  std::string started_at;
  std::string state = kStateReady;
  std::string fingerprint;
  std::string version;
  // Host metrics as the heartbeat read them; absent when a read failed.
  std::optional<std::string> os_distribution, os_version;
  std::optional<int64_t> uptime_ns;
  std::optional<double> load1, load5, load15;
  std::optional<int64_t> mem_total, mem_free, mem_available, mem_cached;
  std::optional<double> process_cpu_percent;
  std::optional<int64_t> process_rss_bytes;
  std::vector<Condition> conditions;
  std::map<std::string, SubComponent> sub_components;

  json to_json() const;
  static Result<AgentInfo> parse(const std::string& text);
  // The registry key of this agent: agents.<machine-id*>, or agents.<hostname*> for a record
  // without a machine id.
  std::string key() const;
};

// agents.<id with every character outside [A-Za-z0-9_] replaced by '_'>
std::string registry_key(const std::string& machine_id);

}  // namespace osapi::job
