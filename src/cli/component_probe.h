// The metrics/probe server of the agent and NATS roles (the controller runs its own from
// api::ApiServer): osapi_component_up, the process families, plus what the role adds.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/metrics.h"
#include "common/result.h"
#include "config/config.h"
#include "http/probe_server.h"

namespace osapi::cli {

struct ComponentProbe {
  std::string component;  // agent | nats
  // nullopt when ready, else why not; component_up follows it.
  std::function<std::optional<std::string>()> not_ready;
  std::function<void(api::Exposition&)> extra;  // more families (may be empty)
};

// Starts the server when `m.enabled` (nullptr otherwise); errors name host and port.
Result<std::unique_ptr<http::ProbeServer>> start_component_probe(const config::MetricsServer& m,
                                                                 ComponentProbe probe);

}  // namespace osapi::cli
