// node.hostname.get: the kernel hostname plus configured labels (spec/agent.md §5).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::provider {

using Labels = std::map<std::string, std::string>;

// gethostname(); error "gethostname: <errno text>".
Result<std::string> kernel_hostname();
// {"hostname":"web-01","labels":{...}} (labels only when non-empty).
Result<nlohmann::ordered_json> hostname(const Labels& labels = {});

}  // namespace osapi::provider
