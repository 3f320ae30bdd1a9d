// Maps an operation type to a provider call. `<category>.<rest>`: the category picks the
// processor (node, network, command); for node and network the first segment of the rest picks
// the provider and the second the action; for command only the first segment matters.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace osapi::provider {
class ProcessGroups;
}

namespace osapi::agent {

using json = nlohmann::ordered_json;

struct DispatchContext {
  std::map<std::string, std::string> labels;
  // The subject kind the job arrived on: node.hostname.* updates on modify subjects and reads
  // otherwise.
  bool modify = false;
  // Where command jobs register their process groups (killed when the agent stops).
  provider::ProcessGroups* commands = nullptr;
};

struct DispatchResult {
  bool ok = false;
  json data;
  std::string error;
  // Unknown/malformed operation or input: retrying cannot help, so the message is terminated.
  bool permanent = false;
  // The host cannot do this at all (provider::is_unsupported): answered `skipped` and acked.
  // `error` then holds the provider's concrete reason, for the log.
  bool skipped = false;
};

// Splits "<category>.<rest>" at the first dot; false when there is none (or nothing around it).
bool split_type(const std::string& type, std::string& category, std::string& operation);

DispatchResult dispatch(const std::string& type, const json& data, const DispatchContext& ctx);

}  // namespace osapi::agent
