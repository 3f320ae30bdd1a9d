// The durable consumers one agent uses (spec/agent.md §2).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::agent {

struct ConsumerPlan {
  std::string durable;
  std::string filter;
  std::string deliver_policy;  // all | new
  bool shared = false;         // query_any / modify_any
};

// Every consumer for an agent with this hostname and these labels.
std::vector<ConsumerPlan> plan_consumers(const job::Names& names, const std::string& hostname,
                                         const std::map<std::string, std::string>& labels);

}  // namespace osapi::agent
