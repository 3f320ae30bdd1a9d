// Read side of the agent registry (spec/jobs.md §9): live agents, target validation with a
// short cache, and the expected host set of a broadcast.
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

class Registry {
 public:
  explicit Registry(std::shared_ptr<messaging::KeyValue> kv,
                    std::chrono::milliseconds cache_ttl = std::chrono::seconds(5));

  // Every live agent in registry key order (uncached).
  Result<std::vector<AgentInfo>> list();
  // Cached for cache_ttl; used for target validation on the request path.
  Result<std::vector<AgentInfo>> live();

  // _any/_all are always valid; a hostname must equal a live agent's hostname; a label must
  // match at least one live agent. Error (kInvalidArgument) when not; a registry failure
  // invalidates every target other than _any/_all.
  Status validate(const Target& target);
  // Hostnames of live agents a broadcast should hear from (empty when unknown).
  std::vector<std::string> expected_hosts(const Target& target);

 private:
  std::shared_ptr<messaging::KeyValue> kv_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::optional<std::vector<AgentInfo>> cache_;
  std::chrono::steady_clock::time_point cached_at_;
};

}  // namespace osapi::job
