// Loading the effective configuration: YAML file, OSAPI_* env overrides, explicit CLI flags,
// then per-command validation.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace osapi::config {

inline constexpr const char* kDefaultConfigPath = "/etc/osapi/osapi.yaml";

// A key whose value could not be converted. Loading goes on; only commands that use the key
// fail (validate_for).
struct KeyError {
  std::string key;     // dotted key path (or section) the error belongs to
  std::string reason;  // e.g. `invalid duration "bogus"`
  std::string source;  // where the bad value came from: the env var name, else the key path
};

struct LoadOptions {
  std::string path;                          // from -f; empty → OSAPI_OSAPIFILE → default path
  std::map<std::string, std::string> env;    // environment snapshot (see environment_snapshot)
  std::map<std::string, std::string> flags;  // explicitly given flags: key path → text value
};

struct Loaded {
  Config config;
  std::string path;                       // the file that was read
  std::vector<std::string> unknown_keys;  // dotted paths present in the file but not known
  std::vector<KeyError> invalid;          // at most one per key, in key-table order of arrival
};

// The current process environment (environ) as a map.
std::map<std::string, std::string> environment_snapshot();

// Reads the file and applies env and flag overrides (flags > env > file > defaults), then
// `debug: true` forces tracing on. Fails when the file is missing, unreadable or not YAML
// ("failed to read config <path>: <reason>"), or uses a key of the old layout
// ("<path>: config key api.server.port was renamed to controller.api.port").
Result<Loaded> load(const LoadOptions& options);

enum class Command {
  kController,           // controller start
  kNatsServer,           // nats server start
  kAgent,                // agent start
  kStart,                // start: NATS, controller and agent in one process
  kClient,               // client commands on unauthenticated endpoints
  kClientAuthenticated,  // client commands that send the bearer token
  kToken,                // token generate / validate
};

// Checks what `command` needs: invalid keys in the sections it uses, required keys, custom
// roles, agent labels, tracing exporter. Messages carry no "Error: " prefix.
Status validate_for(const Loaded& loaded, Command command);

// The effective config as one-line JSON (valid YAML flow) with secrets — signing_key,
// bearer_token, passwords, otlp_headers values — replaced by "****" when non-empty.
std::string dump_masked(const Config& config);

// Every known key path, in table order, and its env var name.
std::vector<std::string> known_keys();
std::string env_var_for(const std::string& key);

// Permission names a custom role may list (auth::all_permissions() mirrors them).
const std::vector<std::string>& known_permissions();

}  // namespace osapi::config
