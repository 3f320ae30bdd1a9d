// Keys of the layout before the controller/agent split (api.server.*, api.client.*,
// node.agent.*, the audit KV bucket, telemetry.metrics.path). A config that still uses one
// stops with a message naming the key and its replacement instead of silently ignoring it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace osapi::config {

// "config key api.server.port was renamed to controller.api.port" for a key of the old
// layout (a leaf or a whole section), nullopt for any other path.
std::optional<std::string> moved_key_message(std::string_view path);

// True when `path` is a section that exists only in the old layout ("api", "node",
// "api.server", "telemetry.metrics", …), so the loader walks into it to name the leaf.
bool is_old_section(std::string_view path);

// The same for OSAPI_* environment variables of old keys (OSAPI_API_SERVER_PORT …).
std::optional<std::string> moved_env_message(const std::map<std::string, std::string>& env);

}  // namespace osapi::config
