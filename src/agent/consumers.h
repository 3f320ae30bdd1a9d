// The durable consumers an agent binds to on the jobs stream. `_any` has one durable shared by
// every agent, so an `_any` job runs on exactly one agent; every other consumer belongs to one
// agent (named after its machine id).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::agent {

struct ConsumerPlan {
  std::string durable;
  std::string filter;
  // First creation only: "new" where replaying the stream's history would re-run old
  // broadcasts (_all, labels); "all" for the agent's direct subject and the shared _any.
  std::string deliver_policy;
};

// For each kind (query, modify), with M = san(machine id) and P = "<consumer_name>_" (nothing
// when the name is empty):
//   P<kind>_any       <prefix>._any  (shared by every agent)
//   P<kind>_all_M     <prefix>._all
//   P<kind>_direct_M  <prefix>.host.M
//   P<kind>_label_<key>_<san(prefix)>_M  <prefix>.label.<key>.<prefix>  for each dotted prefix
//                                        of every label value (a, a.b, a.b.c)
std::vector<ConsumerPlan> plan_consumers(const job::Names& names, const std::string& consumer_name,
                                         const std::string& machine_id,
                                         const std::map<std::string, std::string>& labels);

// agent.consumer.name becomes part of durable names: it may not hold '.', '*', '>', '/', '\\'
// or whitespace (the server rejects them).
Status check_consumer_name(const std::string& consumer_name);

}  // namespace osapi::agent
