// Read side of the agent registry: registered agents, target validation and resolution with
// a short cache, and the expected host set of a broadcast.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "job/agent_record.h"
#include "job/model.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::job {

// One registry entry of any kind: type agent | controller | nats.
struct ComponentEntry {
  std::string type;
  AgentInfo info;
};

class Registry {
 public:
  explicit Registry(std::shared_ptr<messaging::KeyValue> kv,
                    std::chrono::milliseconds cache_ttl = std::chrono::seconds(5));

  // Every live agent in registry key order (uncached).
  Result<std::vector<AgentInfo>> list();
  // Cached for cache_ttl; used for target validation on the request path.
  Result<std::vector<AgentInfo>> live();

  // _any/_all are valid unless every registered agent is Pending; a hostname or machine id
  // must name a registered agent that is not Pending (target.machine_id is filled in); a
  // label must match at least one registered agent. Error (kInvalidArgument) when not, with
  // the reason; a registry failure invalidates every target other than _any/_all.
  Status resolve(Target& target);
  // Hostnames of the agents a broadcast should hear from: matching, and not Pending,
  // Draining or Cordoned (empty when unknown).
  std::vector<std::string> expected_hosts(const Target& target);
  // Every entry (agents, controllers, NATS servers), sorted by type then hostname (uncached).
  Result<std::vector<ComponentEntry>> components();
  // One agent by machine id, else by hostname; kNotFound "agent not found: <x>".
  Result<AgentInfo> find(const std::string& hostname_or_id);

 private:
  std::shared_ptr<messaging::KeyValue> kv_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::optional<std::vector<AgentInfo>> cache_;
  std::chrono::steady_clock::time_point cached_at_;
};

}  // namespace osapi::job
