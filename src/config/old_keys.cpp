#include "config/old_keys.h"

#include <type_traits>
#include <variant>

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

// The move covering `path` (the old key itself or something below it), if any.
const Move* move_for(std::string_view path) {
  for (const auto& m : kMoves) {
    if (under(path, m.from)) return &m;
  }
  return nullptr;
}

std::string renamed(const Move& m, std::string_view path) {
  return std::string(m.to) + std::string(path.substr(m.from.size()));
}

// A key whose value is a mapping of free names (roles, labels, headers).
bool is_map_key(const KeyDef& def) {
  static Config scratch;
  return std::visit(
      [](auto* field) {
        using T = std::remove_pointer_t<decltype(field)>;
        return std::is_same_v<T, std::map<std::string, std::string>> ||
               std::is_same_v<T, std::map<std::string, Role>>;
      },
      def.field(scratch));
}

// The known map key that `path` is a member of ("agent.labels.group" → agent.labels).
const KeyDef* enclosing_map_key(std::string_view path) {
  for (size_t pos = path.rfind('.'); pos != std::string_view::npos && pos > 0;
       pos = path.rfind('.', pos - 1)) {
    if (const KeyDef* def = find_key(path.substr(0, pos))) return is_map_key(*def) ? def : nullptr;
  }
  return nullptr;
}

// True when the new name of an old path exists in the new layout.
bool lands(const std::string& new_path) {
  return find_key(new_path) || is_section(new_path) || enclosing_map_key(new_path);
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
  const Move* m = move_for(path);
  if (!m) return std::nullopt;
  if (m->to.empty()) return describe(*m, path, "", "config key");
  const std::string new_path = renamed(*m, path);
  if (!lands(new_path)) return std::nullopt;
  return describe(*m, path, new_path, "config key");
}

bool is_old_section(std::string_view path) {
  for (const auto& m : kMoves) {
    if (m.from.size() > path.size() && m.from.starts_with(path) && m.from[path.size()] == '.')
      return true;
  }
  const Move* m = move_for(path);
  if (!m || m->to.empty()) return false;
  const std::string new_path = renamed(*m, path);
  if (is_section(new_path) || enclosing_map_key(new_path)) return true;
  const KeyDef* def = find_key(new_path);
  return def && is_map_key(*def);
}

std::optional<std::string> moved_env_message(const std::map<std::string, std::string>& env) {
  // Old variable name → message, for every key of the new layout that has an old name.
  static const std::map<std::string, std::string> old_vars = [] {
    std::map<std::string, std::string> out;
    for (const auto& m : kMoves) {
      const std::string old_var = env_name(m.from);
      if (m.to.empty()) {
        out.emplace(old_var, describe(m, old_var, "", "environment variable"));
        continue;
      }
      for (const auto& def : key_table()) {
        if (!under(def.path, m.to)) continue;
        const std::string old_key = std::string(m.from) + std::string(def.path.substr(m.to.size()));
        const std::string var = env_name(old_key);
        out.emplace(var, describe(m, var, env_name(def.path), "environment variable"));
      }
    }
    return out;
  }();
  for (const auto& [var, value] : env) {
    (void)value;
    if (auto it = old_vars.find(var); it != old_vars.end()) return it->second;
  }
  return std::nullopt;
}

}  // namespace osapi::config
