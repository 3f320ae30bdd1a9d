// Per-command validation: a bad key only stops the commands that use it.
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
    case Command::kController:
      s.insert(s.end(), {"controller", "nats"});
      break;
    case Command::kStart:
      s.insert(s.end(), {"controller", "agent", "nats"});
      break;
    case Command::kNatsServer:
      s.push_back("nats");
      break;
    case Command::kAgent:
      s.insert(s.end(), {"agent", "nats"});
      break;
    case Command::kClient:
    case Command::kClientAuthenticated:
      s.push_back("controller.client");
      break;
    case Command::kToken:
      s.push_back("controller.api.security");
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
  for (const auto& [name, role] : cfg.controller.api.roles) {
    const std::string key = "controller.api.security.roles." + name;
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
      return invalid("agent.labels." + k,
                     "invalid label \"" + k + ":" + v +
                         "\": the key and every dot-separated segment of the value must match " +
                         std::string(kTokenRule));
    }
  }
  if (cfg.agent.labels.size() > 5) {
    return invalid("agent.labels",
                   "at most 5 labels, got " + std::to_string(cfg.agent.labels.size()));
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
  static const std::vector<std::string> perms = {
      "agent:read",       "agent:write",       "node:read",       "node:write",
      "network:read",     "network:write",     "job:read",        "job:write",
      "health:read",      "audit:read",        "command:execute", "file:read",
      "file:write",       "docker:read",       "docker:write",    "docker:execute",
      "cron:read",        "cron:write",        "sysctl:read",     "sysctl:write",
      "ntp:read",         "ntp:write",         "timezone:read",   "timezone:write",
      "power:execute",    "process:read",      "process:execute", "user:read",
      "user:write",       "package:read",      "package:write",   "log:read",
      "certificate:read", "certificate:write", "service:read",    "service:write"};
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
    case Command::kController:
    case Command::kStart:
    case Command::kToken:
      if (cfg.controller.api.signing_key.empty()) {
        return required("controller.api.security.signing_key", "SigningKey");
      }
      break;
    case Command::kClientAuthenticated:
      if (cfg.controller.client.bearer_token.empty()) {
        return required("controller.client.security.bearer_token", "BearerToken");
      }
      break;
    default:
      break;
  }
  const bool controller = command == Command::kController || command == Command::kStart;
  const bool agent = command == Command::kAgent || command == Command::kStart;
  if ((controller || agent) && cfg.nats.registry.bucket.empty()) {
    return required("nats.registry.bucket", "RegistryBucket");
  }

  if (controller || command == Command::kToken) {
    if (Status st = check_roles(cfg); !st.ok()) return st;
  }
  if (agent) {
    if (Status st = check_labels(cfg); !st.ok()) return st;
  }
  return check_tracing(cfg);
}

}  // namespace osapi::config
