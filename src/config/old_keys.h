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
// layout (a leaf, a whole section, or a member of a map key such as
// api.server.security.roles.ops.permissions), nullopt for any other path. A path under an old
// section whose new name is no key either (node.agent.colour) is nullopt: it is an unknown key
// in both layouts, not a renamed one.
std::optional<std::string> moved_key_message(std::string_view path);

// True when the loader should walk into a mapping at `path` to name the leaf: a section that
// exists only in the old layout ("api", "node", "api.server", "telemetry.metrics", …), an old
// section whose new name is a section ("node.agent"), or an old map key
// ("node.agent.labels", "api.server.security.roles") and its members.
bool is_old_section(std::string_view path);

// The same for OSAPI_* environment variables of old keys (OSAPI_API_SERVER_PORT …): only a
// variable that names an old key is refused; other OSAPI_* variables are ignored as before.
std::optional<std::string> moved_env_message(const std::map<std::string, std::string>& env);

}  // namespace osapi::config
