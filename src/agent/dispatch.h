// Maps an operation type to a provider call (spec/agent.md §5).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace osapi::agent {

using json = nlohmann::ordered_json;

struct DispatchContext {
  std::map<std::string, std::string> labels;
};

struct DispatchResult {
  bool ok = false;
  json data;
  std::string error;
  // Unknown/malformed operation: retrying cannot help, so the message is terminated.
  bool permanent = false;
};

// Splits "<category>.<op>.<verb>"; false when there is no dot.
bool split_type(const std::string& type, std::string& category, std::string& operation);

DispatchResult dispatch(const std::string& type, const json& data, const DispatchContext& ctx);

}  // namespace osapi::agent
