#include "api/agent_view.h"

#include "common/time.h"
#include "provider/format.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

namespace {

// Fact fields the agent record carries at the top level.
constexpr const char* kFactFields[] = {"architecture", "kernel_version",    "cpu_count",
                                       "fqdn",         "service_mgr",       "package_mgr",
                                       "interfaces",   "primary_interface", "routes"};

}  // namespace

json agent_json(const job::AgentInfo& a, const json& facts,
                std::chrono::system_clock::time_point now) {
  json j;
  if (!a.machine_id.empty()) j["machine_id"] = a.machine_id;
  if (!a.fingerprint.empty()) j["fingerprint"] = a.fingerprint;
  j["hostname"] = a.hostname;
  Clock::time_point seen;
  const bool fresh =
      parse_rfc3339(a.registered_at, seen) && now - seen <= std::chrono::seconds(kNotReadyAfter);
  j["status"] = fresh ? "Ready" : "NotReady";
  if (!a.labels.empty()) j["labels"] = a.labels;
  if (!a.registered_at.empty()) j["registered_at"] = a.registered_at;
  if (!a.started_at.empty()) j["started_at"] = a.started_at;
  if (a.os_distribution || a.os_version)
    j["os_info"] = {{"distribution", a.os_distribution.value_or("")},
                    {"version", a.os_version.value_or("")}};
  if (a.uptime_ns) j["uptime"] = provider::uptime_text(*a.uptime_ns / 1'000'000'000LL);
  if (a.load1)
    j["load_average"] = {{"1min", a.load1.value_or(0)},
                         {"5min", a.load5.value_or(0)},
                         {"15min", a.load15.value_or(0)}};
  if (a.mem_total) {
    const int64_t total = *a.mem_total;
    const int64_t free = a.mem_free.value_or(0);
    // In use by processes: what is neither free nor reclaimable (available covers both).
    const int64_t used =
        a.mem_available ? total - *a.mem_available : total - free - a.mem_cached.value_or(0);
    j["memory"] = {{"total", total}, {"free", free}, {"used", std::max<int64_t>(0, used)}};
  }
  if (facts.is_object()) {
    for (const char* key : kFactFields)
      if (auto it = facts.find(key); it != facts.end() && !it->is_null()) j[key] = *it;
    if (auto it = facts.find("facts"); it != facts.end() && it->is_object() && !it->empty())
      j["facts"] = *it;
  }
  j["state"] = a.state;
  if (!a.conditions.empty()) {
    json c = json::array();
    for (const auto& cond : a.conditions) {
      json e{{"type", cond.type}, {"status", cond.status}};
      if (!cond.reason.empty()) e["reason"] = cond.reason;
      e["last_transition_time"] = cond.last_transition_time;
      c.push_back(std::move(e));
    }
    j["conditions"] = std::move(c);
  }
  return j;
}

}  // namespace osapi::api
