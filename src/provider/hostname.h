// node.hostname.get: the kernel hostname plus configured labels.
// node.hostname.update: set the hostname with `hostnamectl set-hostname`.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::provider {

using Labels = std::map<std::string, std::string>;

// gethostname(); error "gethostname: <errno text>".
Result<std::string> kernel_hostname();
// {"hostname":"web-01","labels":{...}} (labels only when non-empty).
Result<nlohmann::ordered_json> hostname(const Labels& labels = {});

struct HostnameOptions {
  std::string tool = "hostnamectl";  // looked up on PATH at call time (tests put a fake first)
  int timeout_seconds = 10;
};

struct HostnameUpdateResult {
  bool changed = false;
};

// 1..253 characters of dot-separated RFC 1123 labels: 1..63 of [A-Za-z0-9-] each, no hyphen at
// either end. Error: `invalid hostname "<name>": <reason>`.
Status validate_hostname(std::string_view name);

// Equal to the kernel hostname → changed:false and nothing runs; otherwise
// `hostnamectl set-hostname <name>`. A failing tool is an error carrying its stderr; no tool on
// PATH is unsupported_error (provider/unsupported.h).
Result<HostnameUpdateResult> update_hostname(const std::string& name,
                                             const HostnameOptions& options = {});

// Job data {"hostname":"web-01"} → the name (not yet validated).
Result<std::string> parse_hostname_update_data(const nlohmann::ordered_json& data);

// {"changed":…}
nlohmann::ordered_json to_json(const HostnameUpdateResult& result);

}  // namespace osapi::provider
