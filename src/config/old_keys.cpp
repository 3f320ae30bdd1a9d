#include "config/old_keys.h"

#include "config/keys.h"

namespace osapi::config {
namespace {

struct Move {
  std::string_view from;  // old key or section
  std::string_view to;    // its replacement; empty = removed
  std::string_view why;   // for removed keys: what to use instead
};

constexpr Move kMoves[] = {
    {"api.client", "controller.client", ""},
    {"api.server.port", "controller.api.port", ""},
    {"api.server.nats", "controller.nats", ""},
    {"api.server.security", "controller.api.security", ""},
    {"node.agent", "agent", ""},
    {"nats.audit.bucket", "nats.audit.stream", ""},
    {"nats.audit.ttl", "nats.audit.max_age", ""},
    {"telemetry.metrics.path", "",
     "metrics are served by each component's own server (controller.metrics.*, "
     "agent.metrics.*, nats.server.metrics.*)"},
};

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix ||
         (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '.');
}

std::string describe(const Move& m, std::string_view old_name, std::string_view new_name,
                     std::string_view what) {
  if (m.to.empty()) {
    return std::string(what) + " " + std::string(old_name) + " was removed: " + std::string(m.why);
  }
  return std::string(what) + " " + std::string(old_name) + " was renamed to " +
         std::string(new_name);
}

}  // namespace

std::optional<std::string> moved_key_message(std::string_view path) {
  for (const auto& m : kMoves) {
    if (!under(path, m.from)) continue;
    const std::string renamed = std::string(m.to) + std::string(path.substr(m.from.size()));
    return describe(m, path, renamed, "config key");
  }
  return std::nullopt;
}

bool is_old_section(std::string_view path) {
  for (const auto& m : kMoves) {
    if (m.from.size() > path.size() && m.from.starts_with(path) && m.from[path.size()] == '.')
      return true;
  }
  return false;
}

std::optional<std::string> moved_env_message(const std::map<std::string, std::string>& env) {
  for (const auto& m : kMoves) {
    const std::string old_var = env_name(m.from);
    for (auto it = env.lower_bound(old_var); it != env.end(); ++it) {
      const std::string& var = it->first;
      if (var.compare(0, old_var.size(), old_var) != 0) break;
      if (var.size() != old_var.size() && var[old_var.size()] != '_') continue;
      const std::string renamed = m.to.empty() ? "" : env_name(m.to) + var.substr(old_var.size());
      return describe(m, var, renamed, "environment variable");
    }
  }
  return std::nullopt;
}

}  // namespace osapi::config
