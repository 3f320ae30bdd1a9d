// Per-command validation (spec/cli.md §3 step 4): a bad key only stops the commands using it.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "common/strings.h"
#include "config/loader.h"

namespace osapi::config {
namespace {

Error invalid(const std::string& what, const std::string& reason) {
  return Error(ErrorCode::kInvalidArgument, "invalid config: " + what + ": " + reason);
}

Error required(const std::string& key, const std::string& name) {
  return Error(ErrorCode::kInvalidArgument,
               "config validation failed: " + key + " (" + name + ") is required");
}

// Key sections (dotted prefixes) each command reads. telemetry and debug: every command.
std::vector<std::string_view> sections_for(Command command) {
  std::vector<std::string_view> s = {"telemetry", "debug"};
  switch (command) {
    case Command::kApiServer:
      s.insert(s.end(), {"api.server", "nats"});
      break;
    case Command::kNatsServer:
      s.push_back("nats");
      break;
    case Command::kAgent:
      s.insert(s.end(), {"node.agent", "nats"});
      break;
    case Command::kClient:
    case Command::kClientAuthenticated:
      s.push_back("api.client");
      break;
    case Command::kToken:
      s.push_back("api.server.security");
      break;
  }
  return s;
}

bool in_section(std::string_view key, std::string_view section) {
  return key == section ||
         (key.size() > section.size() && key.starts_with(section) && key[section.size()] == '.');
}

constexpr std::string_view kTokenRule = "^[A-Za-z0-9_-]+$";

Status check_roles(const Config& cfg) {
  const auto& perms = known_permissions();
  for (const auto& [name, role] : cfg.api_server.roles) {
    const std::string key = "api.server.security.roles." + name;
    if (!is_label_token(name)) {
      return invalid(key, "role name must match " + std::string(kTokenRule));
    }
    for (const auto& p : role.permissions) {
      if (std::find(perms.begin(), perms.end(), p) == perms.end()) {
        return invalid(key, "unknown permission \"" + p + "\"");
      }
    }
  }
  return Status::Ok();
}

Status check_labels(const Config& cfg) {
  for (const auto& [k, v] : cfg.agent.labels) {
    bool ok = is_label_token(k);
    for (const auto& seg : split(v, '.')) ok = ok && is_label_token(seg);
    if (!ok) {
      return invalid("node.agent.labels." + k,
                     "invalid label \"" + k + ":" + v +
                         "\": the key and every dot-separated segment of the value must match " +
                         std::string(kTokenRule));
    }
  }
  return Status::Ok();
}

Status check_tracing(const Config& cfg) {
  const auto& t = cfg.telemetry.tracing;
  if (t.exporter != "" && t.exporter != "none" && t.exporter != "stdout" && t.exporter != "otlp") {
    return Error(ErrorCode::kInvalidArgument,
                 "unsupported tracing exporter: \"" + t.exporter + "\"");
  }
  // OTEL_EXPORTER_OTLP_ENDPOINT may supply it (telemetry/otel_env.h applies it later).
  const char* otel_endpoint = std::getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (t.exporter == "otlp" && trim(t.otlp_endpoint).empty() &&
      (otel_endpoint == nullptr || trim(otel_endpoint).empty())) {
    return invalid("telemetry.tracing.otlp_endpoint",
                   "required when telemetry.tracing.exporter is \"otlp\"");
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& known_permissions() {
  static const std::vector<std::string> perms = {"node:read",  "network:read",   "network:write",
                                                 "job:read",   "job:write",      "health:read",
                                                 "audit:read", "command:execute"};
  return perms;
}

Status validate_for(const Loaded& loaded, Command command) {
  const Config& cfg = loaded.config;
  const auto sections = sections_for(command);
  for (const auto& e : loaded.invalid) {
    for (auto s : sections) {
      if (in_section(e.key, s)) return invalid(e.source, e.reason);
    }
  }

  switch (command) {
    case Command::kApiServer:
    case Command::kToken:
      if (cfg.api_server.signing_key.empty()) {
        return required("api.server.security.signing_key", "SigningKey");
      }
      break;
    case Command::kClientAuthenticated:
      if (cfg.api_client.bearer_token.empty()) {
        return required("api.client.security.bearer_token", "BearerToken");
      }
      break;
    default:
      break;
  }
  if ((command == Command::kApiServer || command == Command::kAgent) &&
      cfg.nats.registry.bucket.empty()) {
    return required("nats.registry.bucket", "RegistryBucket");
  }

  if (command == Command::kApiServer || command == Command::kToken) {
    if (Status st = check_roles(cfg); !st.ok()) return st;
  }
  if (command == Command::kAgent) {
    if (Status st = check_labels(cfg); !st.ok()) return st;
  }
  return check_tracing(cfg);
}

}  // namespace osapi::config
