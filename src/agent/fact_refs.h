// Resolves @fact. references in job data on the agent, just before dispatch, so one request can
// carry per-host values ("@fact.interface.primary" becomes eth0 on one host, ens3 on another).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/facts.h"

namespace osapi::agent {

using json = nlohmann::ordered_json;

// The values references resolve to.
struct FactValues {
  bool collected = false;  // false until the agent has gathered facts once
  std::string primary_interface;
  std::string hostname;
  std::string arch;
  std::string kernel;
  std::string fqdn;
  bool containerized = false;
  std::map<std::string, std::string> custom;  // custom.<key> → value
};

// The agent's collected facts plus the hostname it registered with.
FactValues fact_values_from(const provider::Facts& facts, const std::string& hostname);

// True when some string value (not an object key) anywhere in `data` contains "@fact.".
bool contains_fact_refs(const json& data);

// Rewrites every string value, recursively through objects and arrays (keys untouched). A
// reference runs from "@fact." to the next space, '"', '\'', ',', ';' or the end of the string
// and is replaced by its value (containerized → true/false); replaced text is not scanned
// again. Errors: `unresolvable fact reference "<ref>": <reason>`. Data without references is
// returned as is.
Result<json> resolve_fact_refs(const json& data, const FactValues& facts);

// The same for one string.
Result<std::string> resolve_fact_refs_in_string(std::string_view text, const FactValues& facts);

// In place, for a caller that owns the data; on error `data` may be partly rewritten.
Status resolve_fact_refs_in_place(json& data, const FactValues& facts);

}  // namespace osapi::agent
