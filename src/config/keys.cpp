#include "config/keys.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <set>
#include <type_traits>
#include <unordered_map>

#include "common/strings.h"
#include "common/time.h"

namespace osapi::config {
namespace {

// One line per key: path literal, Config member, then optional designated KeyDef fields.
#define OSAPI_KEY(key_path, member, ...)                                                    \
  KeyDef {                                                                                  \
    .path = key_path, .field = [](Config& c) -> FieldRef { return &c.member; }, __VA_ARGS__ \
  }

#define OSAPI_NATS_CLIENT_KEYS(prefix, member)                                  \
  OSAPI_KEY(prefix ".host", member.host),                                       \
      OSAPI_KEY(prefix ".port", member.port, .min = 1, .max = 65535),           \
      OSAPI_KEY(prefix ".client_name", member.client_name),                     \
      OSAPI_KEY(prefix ".namespace", member.namespace_),                        \
      OSAPI_KEY(prefix ".auth.type", member.auth.type),                         \
      OSAPI_KEY(prefix ".auth.username", member.auth.username),                 \
      OSAPI_KEY(prefix ".auth.password", member.auth.password, .secret = true), \
      OSAPI_KEY(prefix ".auth.nkey_file", member.auth.nkey_file)

#define OSAPI_METRICS_KEYS(prefix, member)                                              \
  OSAPI_KEY(prefix ".enabled", member.enabled), OSAPI_KEY(prefix ".host", member.host), \
      OSAPI_KEY(prefix ".port", member.port, .min = 0, .max = 65535)

#define OSAPI_BUCKET_STORAGE_KEYS(prefix, member) \
  OSAPI_KEY(prefix ".storage", member.storage),   \
      OSAPI_KEY(prefix ".replicas", member.replicas, .min = 0)

// Fields left out of a designated initializer take their defaults; GCC 12 still warns.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
std::vector<KeyDef> build_table() {
  return {
      OSAPI_KEY("osapiFile", osapi_file),
      OSAPI_KEY("debug", debug),
      // controller
      OSAPI_KEY("controller.client.url", controller.client.url),
      OSAPI_KEY("controller.client.security.bearer_token", controller.client.bearer_token,
                .secret = true),
      OSAPI_KEY("controller.api.port", controller.api.port, .min = 1, .max = 65535),
      OSAPI_KEY("controller.api.security.cors.allow_origins", controller.api.cors_allow_origins),
      OSAPI_KEY("controller.api.security.signing_key", controller.api.signing_key, .secret = true),
      OSAPI_KEY("controller.api.security.roles", controller.api.roles),
      OSAPI_KEY("controller.api.job_timeout", controller.api.job_timeout, .min = 0),
      OSAPI_NATS_CLIENT_KEYS("controller.nats", controller.nats),
      OSAPI_METRICS_KEYS("controller.metrics", controller.metrics),
      OSAPI_KEY("controller.notifications.enabled", controller.notifications.enabled),
      OSAPI_KEY("controller.notifications.notifier", controller.notifications.notifier),
      OSAPI_KEY("controller.notifications.renotify_interval",
                controller.notifications.renotify_interval, .min = 0),
      OSAPI_KEY("controller.ui.enabled", controller.ui_enabled),
      OSAPI_KEY("controller.audit.spool_dir", controller.audit.spool_dir),
      OSAPI_KEY("controller.pki.enabled", controller.pki.enabled),
      OSAPI_KEY("controller.pki.key_dir", controller.pki.key_dir),
      OSAPI_KEY("controller.pki.auto_accept", controller.pki.auto_accept),
      OSAPI_KEY("controller.pki.rotation_grace_period", controller.pki.rotation_grace_period,
                .min = 0),
      // 3.3 broker and JetStream objects
      OSAPI_KEY("nats.server.host", nats.server.host),
      OSAPI_KEY("nats.server.port", nats.server.port, .min = 1, .max = 65535),
      OSAPI_KEY("nats.server.store_dir", nats.server.store_dir),
      OSAPI_KEY("nats.server.namespace", nats.server.namespace_),
      OSAPI_KEY("nats.server.auth.type", nats.server.auth_type),
      OSAPI_KEY("nats.server.auth.users", nats.server.auth_users, .secret = true),
      OSAPI_KEY("nats.server.auth.nkeys", nats.server.auth_nkeys),
      OSAPI_METRICS_KEYS("nats.server.metrics", nats.server.metrics),
      OSAPI_KEY("nats.server.bin", nats.server.bin),
      OSAPI_KEY("nats.server.monitor_port", nats.server.monitor_port, .min = 0, .max = 65535),
      OSAPI_KEY("nats.stream.name", nats.stream.name),
      OSAPI_KEY("nats.stream.subjects", nats.stream.subjects),
      OSAPI_KEY("nats.stream.max_age", nats.stream.max_age, .min = 0),
      OSAPI_KEY("nats.stream.max_msgs", nats.stream.max_msgs),
      OSAPI_KEY("nats.stream.storage", nats.stream.storage),
      OSAPI_KEY("nats.stream.replicas", nats.stream.replicas, .min = 0),
      OSAPI_KEY("nats.stream.discard", nats.stream.discard),
      OSAPI_KEY("nats.kv.bucket", nats.kv.bucket),
      OSAPI_KEY("nats.kv.response_bucket", nats.kv.response_bucket),
      OSAPI_KEY("nats.kv.ttl", nats.kv.ttl, .min = 0),
      OSAPI_KEY("nats.kv.max_bytes", nats.kv.max_bytes),
      OSAPI_KEY("nats.kv.storage", nats.kv.storage),
      OSAPI_KEY("nats.kv.replicas", nats.kv.replicas, .min = 0),
      OSAPI_KEY("nats.dlq.max_age", nats.dlq.max_age, .min = 0),
      OSAPI_KEY("nats.dlq.max_msgs", nats.dlq.max_msgs),
      OSAPI_KEY("nats.dlq.storage", nats.dlq.storage),
      OSAPI_KEY("nats.dlq.replicas", nats.dlq.replicas, .min = 0),
      OSAPI_KEY("nats.audit.stream", nats.audit.stream),
      OSAPI_KEY("nats.audit.subject", nats.audit.subject),
      OSAPI_KEY("nats.audit.max_age", nats.audit.max_age, .min = 0),
      OSAPI_KEY("nats.audit.max_bytes", nats.audit.max_bytes),
      OSAPI_KEY("nats.audit.storage", nats.audit.storage),
      OSAPI_KEY("nats.audit.replicas", nats.audit.replicas, .min = 0),
      OSAPI_KEY("nats.registry.bucket", nats.registry.bucket),
      OSAPI_KEY("nats.registry.ttl", nats.registry.ttl, .min = 0),
      OSAPI_KEY("nats.registry.storage", nats.registry.storage),
      OSAPI_KEY("nats.registry.replicas", nats.registry.replicas, .min = 0),
      OSAPI_KEY("nats.facts.bucket", nats.facts.bucket),
      OSAPI_KEY("nats.facts.ttl", nats.facts.ttl, .min = 0),
      OSAPI_BUCKET_STORAGE_KEYS("nats.facts", nats.facts),
      OSAPI_KEY("nats.state.bucket", nats.state.bucket),
      OSAPI_BUCKET_STORAGE_KEYS("nats.state", nats.state),
      OSAPI_KEY("nats.objects.bucket", nats.objects.bucket),
      OSAPI_KEY("nats.objects.max_bytes", nats.objects.max_bytes, .min = 0),
      OSAPI_BUCKET_STORAGE_KEYS("nats.objects", nats.objects),
      OSAPI_KEY("nats.file_state.bucket", nats.file_state.bucket),
      OSAPI_BUCKET_STORAGE_KEYS("nats.file_state", nats.file_state),
      OSAPI_KEY("nats.enrollment.bucket", nats.enrollment.bucket),
      OSAPI_BUCKET_STORAGE_KEYS("nats.enrollment", nats.enrollment),
      // 3.4 telemetry
      OSAPI_KEY("telemetry.tracing.enabled", telemetry.tracing.enabled),
      OSAPI_KEY("telemetry.tracing.exporter", telemetry.tracing.exporter),
      OSAPI_KEY("telemetry.tracing.otlp_endpoint", telemetry.tracing.otlp_endpoint),
      OSAPI_KEY("telemetry.tracing.otlp_protocol", telemetry.tracing.otlp_protocol,
                .one_of = "grpc|http/protobuf"),
      OSAPI_KEY("telemetry.tracing.otlp_insecure", telemetry.tracing.otlp_insecure),
      OSAPI_KEY("telemetry.tracing.otlp_ca_file", telemetry.tracing.otlp_ca_file),
      OSAPI_KEY("telemetry.tracing.otlp_client_cert_file", telemetry.tracing.otlp_client_cert_file),
      OSAPI_KEY("telemetry.tracing.otlp_client_key_file", telemetry.tracing.otlp_client_key_file),
      OSAPI_KEY("telemetry.tracing.otlp_headers", telemetry.tracing.otlp_headers, .kv_pairs = true,
                .secret = true),
      OSAPI_KEY("telemetry.tracing.sampler", telemetry.tracing.sampler,
                .one_of = "always_on|always_off|traceidratio"),
      OSAPI_KEY("telemetry.tracing.sampler_ratio", telemetry.tracing.sampler_ratio, .min = 0,
                .max = 1),
      OSAPI_KEY("telemetry.tracing.batch.max_queue_size", telemetry.tracing.batch.max_queue_size,
                .min = 1),
      OSAPI_KEY("telemetry.tracing.batch.max_export_batch_size",
                telemetry.tracing.batch.max_export_batch_size, .min = 1),
      OSAPI_KEY("telemetry.tracing.batch.schedule_delay", telemetry.tracing.batch.schedule_delay,
                .min = 0),
      OSAPI_KEY("telemetry.tracing.batch.export_timeout", telemetry.tracing.batch.export_timeout,
                .min = 0),
      // agent
      OSAPI_NATS_CLIENT_KEYS("agent.nats", agent.nats),
      OSAPI_KEY("agent.consumer.name", agent.consumer.name),
      OSAPI_KEY("agent.consumer.max_deliver", agent.consumer.max_deliver),
      OSAPI_KEY("agent.consumer.ack_wait", agent.consumer.ack_wait, .min = 0),
      OSAPI_KEY("agent.consumer.max_ack_pending", agent.consumer.max_ack_pending),
      OSAPI_KEY("agent.consumer.replay_policy", agent.consumer.replay_policy),
      OSAPI_KEY("agent.consumer.back_off", agent.consumer.back_off, .min = 0),
      OSAPI_KEY("agent.facts.interval", agent.facts_interval, .min = 0),
      OSAPI_KEY("agent.queue_group", agent.queue_group),
      OSAPI_KEY("agent.hostname", agent.hostname),
      OSAPI_KEY("agent.machine_id_file", agent.machine_id_file),
      OSAPI_KEY("agent.max_jobs", agent.max_jobs, .min = 1),
      OSAPI_KEY("agent.labels", agent.labels),
      OSAPI_KEY("agent.conditions.memory_pressure_threshold",
                agent.conditions.memory_pressure_threshold, .min = 1, .max = 100),
      OSAPI_KEY("agent.conditions.high_load_multiplier", agent.conditions.high_load_multiplier,
                .min = 0, .min_exclusive = true),
      OSAPI_KEY("agent.conditions.disk_pressure_threshold",
                agent.conditions.disk_pressure_threshold, .min = 1, .max = 100),
      OSAPI_KEY("agent.process_conditions.memory_pressure_bytes",
                agent.process_conditions.memory_pressure_bytes, .min = 0),
      OSAPI_KEY("agent.process_conditions.high_cpu_percent",
                agent.process_conditions.high_cpu_percent, .min = 0),
      OSAPI_KEY("agent.privilege_escalation.enabled", agent.privilege_escalation),
      OSAPI_KEY("agent.pki.enabled", agent.pki.enabled),
      OSAPI_KEY("agent.pki.key_dir", agent.pki.key_dir),
      OSAPI_METRICS_KEYS("agent.metrics", agent.metrics),
  };
}

#pragma GCC diagnostic pop

#undef OSAPI_NATS_CLIENT_KEYS
#undef OSAPI_METRICS_KEYS
#undef OSAPI_BUCKET_STORAGE_KEYS
#undef OSAPI_KEY

struct Index {
  std::unordered_map<std::string_view, const KeyDef*> by_path;
  std::set<std::string, std::less<>> sections;
};

const Index& index() {
  static const Index idx = [] {
    Index out;
    for (const auto& def : key_table()) {
      out.by_path.emplace(def.path, &def);
      for (size_t pos = def.path.find('.'); pos != std::string_view::npos;
           pos = def.path.find('.', pos + 1)) {
        out.sections.emplace(def.path.substr(0, pos));
      }
    }
    return out;
  }();
  return idx;
}

Error bad(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "a scalar";
  }
}

// A YAML flow value given as text (env, flag, or a quoted file scalar).
Result<YAML::Node> parse_yaml_text(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return bad("invalid YAML value: " + e.msg);
  }
}

Result<std::string> scalar_text(const YAML::Node& n) {
  if (n.IsNull()) return std::string();
  if (n.IsScalar()) return n.Scalar();
  return bad("expected a single value, got " + kind(n));
}

Result<long long> to_int(const std::string& raw) {
  const std::string t = trim(raw);
  if (t.empty()) return 0LL;  // set-but-empty
  long long v = 0;
  if (!parse_int64(t, v)) return bad("expected an integer, got \"" + raw + "\"");
  return v;
}

Result<bool> to_bool(const std::string& raw) {
  const std::string t = to_lower(trim(raw));
  if (t.empty() || t == "false" || t == "0" || t == "no" || t == "off") return false;
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  return bad("expected a boolean (true/false/1/0), got \"" + raw + "\"");
}

Result<double> to_double(const std::string& raw) {
  const std::string t = trim(raw);
  if (t.empty()) return 0.0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) {
    return bad("expected a number, got \"" + raw + "\"");
  }
  return v;
}

Result<Duration> to_duration(const std::string& raw) {
  const std::string t = trim(raw);
  if (t.empty()) return Duration(0);
  auto d = parse_duration(t);
  if (!d.ok()) return d.error();
  return Duration(*d);
}

Result<std::vector<std::string>> to_list(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (n.IsSequence()) {
    for (const auto& item : n) {
      auto s = scalar_text(item);
      if (!s.ok()) return bad("list item: " + s.error().message);
      out.push_back(*s);
    }
    return out;
  }
  if (!n.IsScalar()) return bad("expected a list, got " + kind(n));
  const std::string t = trim(n.Scalar());
  if (t.empty()) return out;
  if (t.front() == '[') {
    auto parsed = parse_yaml_text(t);
    if (!parsed.ok()) return parsed.error();
    if (!parsed->IsSequence()) return bad("expected a list, got " + kind(*parsed));
    return to_list(*parsed);
  }
  for (const auto& part : split(t, ',')) {
    std::string item = trim(part);
    if (!item.empty()) out.push_back(std::move(item));
  }
  return out;
}

Result<std::map<std::string, std::string>> to_string_map(const YAML::Node& n, bool kv_pairs) {
  std::map<std::string, std::string> out;
  if (n.IsNull()) return out;
  if (n.IsMap()) {
    for (const auto& kv : n) {
      auto k = scalar_text(kv.first);
      auto v = scalar_text(kv.second);
      if (!k.ok()) return bad("map key: " + k.error().message);
      if (!v.ok()) return bad("value of \"" + *k + "\": " + v.error().message);
      out[*k] = *v;
    }
    return out;
  }
  if (!n.IsScalar()) return bad("expected a mapping, got " + kind(n));
  const std::string t = trim(n.Scalar());
  if (t.empty()) return out;
  if (kv_pairs && t.front() != '{') {
    for (const auto& part : split(t, ',')) {
      const std::string item = trim(part);
      if (item.empty()) continue;
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0) {
        return bad("expected k1=v1,k2=v2 or a YAML flow mapping, got \"" + n.Scalar() + "\"");
      }
      out[trim(item.substr(0, eq))] = trim(item.substr(eq + 1));
    }
    return out;
  }
  auto parsed = parse_yaml_text(t);
  if (!parsed.ok()) return parsed.error();
  if (!parsed->IsMap()) return bad("expected a mapping, got \"" + n.Scalar() + "\"");
  return to_string_map(*parsed, kv_pairs);
}

// Structured values from text: a scalar holding a YAML flow value is parsed first.
Result<YAML::Node> structured(const YAML::Node& n) {
  if (!n.IsScalar()) return n;
  const std::string t = trim(n.Scalar());
  if (t.empty()) return YAML::Node();  // null: empty value
  return parse_yaml_text(t);
}

Result<std::map<std::string, Role>> to_roles(const YAML::Node& in, std::string_view path,
                                             std::vector<std::string>& unknown) {
  auto parsed = structured(in);
  if (!parsed.ok()) return parsed.error();
  const YAML::Node& n = *parsed;
  std::map<std::string, Role> out;
  if (n.IsNull()) return out;
  if (!n.IsMap()) return bad("expected a mapping of role name to {permissions: [...]}");
  for (const auto& kv : n) {
    auto name = scalar_text(kv.first);
    if (!name.ok()) return bad("role name: " + name.error().message);
    Role role;
    const YAML::Node& body = kv.second;
    if (body.IsMap()) {
      for (const auto& field : body) {
        auto fname = scalar_text(field.first);
        if (fname.ok() && *fname == "permissions") {
          auto perms = to_list(field.second);
          if (!perms.ok()) return bad("role \"" + *name + "\": " + perms.error().message);
          role.permissions = std::move(*perms);
        } else {
          unknown.push_back(std::string(path) + "." + *name + "." + (fname.ok() ? *fname : "?"));
        }
      }
    } else {
      // Shorthand: "ops: [node:read]" lists the permissions directly.
      auto perms = to_list(body);
      if (!perms.ok()) return bad("role \"" + *name + "\": " + perms.error().message);
      role.permissions = std::move(*perms);
    }
    out[*name] = std::move(role);
  }
  return out;
}

Result<std::vector<ServerUser>> to_users(const YAML::Node& in, std::string_view path,
                                         std::vector<std::string>& unknown) {
  auto parsed = structured(in);
  if (!parsed.ok()) return parsed.error();
  const YAML::Node& n = *parsed;
  std::vector<ServerUser> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) return bad("expected a list of {username, password}");
  for (const auto& item : n) {
    if (!item.IsMap()) return bad("expected a list of {username, password}");
    ServerUser user;
    for (const auto& field : item) {
      auto fname = scalar_text(field.first);
      auto value = scalar_text(field.second);
      const std::string name = fname.ok() ? *fname : "?";
      if (name != "username" && name != "password") {
        unknown.push_back(std::string(path) + "[" + std::to_string(out.size()) + "]." + name);
        continue;
      }
      if (!value.ok()) return bad("user " + name + ": " + value.error().message);
      (name == "username" ? user.username : user.password) = *value;
    }
    out.push_back(std::move(user));
  }
  return out;
}

Status check_range(const KeyDef& def, double v, const std::string& shown) {
  if ((def.min_exclusive ? v <= def.min : v < def.min) || v > def.max) {
    std::string range;
    auto num = [](double x) {
      std::string s = std::to_string(x);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    if (def.min_exclusive) {
      range = "must be > " + num(def.min);
      if (!std::isinf(def.max)) range += " and <= " + num(def.max);
    } else if (std::isinf(def.max)) {
      range = "must be >= " + num(def.min);
    } else {
      range = "must be between " + num(def.min) + " and " + num(def.max);
    }
    return bad(range + ", got " + shown);
  }
  return Status::Ok();
}

}  // namespace

const std::vector<KeyDef>& key_table() {
  static const std::vector<KeyDef> table = build_table();
  return table;
}

const KeyDef* find_key(std::string_view path) {
  const auto& m = index().by_path;
  auto it = m.find(path);
  return it == m.end() ? nullptr : it->second;
}

bool is_section(std::string_view path) {
  return index().sections.count(path) > 0;
}

std::string env_name(std::string_view path) {
  std::string out = "OSAPI_";
  for (char c : path) out += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

Status assign_value(const KeyDef& def, Config& cfg, const YAML::Node& node,
                    std::vector<std::string>& unknown) {
  return std::visit(
      [&](auto* field) -> Status {
        using T = std::remove_pointer_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          auto v = scalar_text(node);
          if (!v.ok()) return v.error();
          if (!def.one_of.empty()) {
            bool found = false;
            for (const auto& allowed : split(def.one_of, '|')) found = found || allowed == *v;
            if (!found) {
              std::string list(def.one_of);
              for (auto& c : list) c = c == '|' ? ',' : c;
              return bad("must be one of " + list + ", got \"" + *v + "\"");
            }
          }
          *field = *v;
        } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, long long>) {
          auto text = scalar_text(node);
          if (!text.ok()) return text.error();
          auto v = to_int(*text);
          if (!v.ok()) return v.error();
          if constexpr (std::is_same_v<T, int>) {
            if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
              return bad("integer out of range: " + *text);
            }
          }
          Status st = check_range(def, static_cast<double>(*v), std::to_string(*v));
          if (!st.ok()) return st;
          *field = static_cast<T>(*v);
        } else if constexpr (std::is_same_v<T, bool>) {
          auto text = scalar_text(node);
          if (!text.ok()) return text.error();
          auto v = to_bool(*text);
          if (!v.ok()) return v.error();
          *field = *v;
        } else if constexpr (std::is_same_v<T, double>) {
          auto text = scalar_text(node);
          if (!text.ok()) return text.error();
          auto v = to_double(*text);
          if (!v.ok()) return v.error();
          Status st = check_range(def, *v, *text);
          if (!st.ok()) return st;
          *field = *v;
        } else if constexpr (std::is_same_v<T, Duration>) {
          auto text = scalar_text(node);
          if (!text.ok()) return text.error();
          auto v = to_duration(*text);
          if (!v.ok()) return v.error();
          if (v->count() < 0) return bad("must not be negative, got \"" + *text + "\"");
          *field = *v;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          auto v = to_list(node);
          if (!v.ok()) return v.error();
          *field = std::move(*v);
        } else if constexpr (std::is_same_v<T, std::vector<Duration>>) {
          auto items = to_list(node);
          if (!items.ok()) return items.error();
          std::vector<Duration> out;
          for (const auto& item : *items) {
            auto d = to_duration(item);
            if (!d.ok()) return d.error();
            if (d->count() < 0) return bad("must not be negative, got \"" + item + "\"");
            out.push_back(*d);
          }
          *field = std::move(out);
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
          auto v = to_string_map(node, def.kv_pairs);
          if (!v.ok()) return v.error();
          *field = std::move(*v);
        } else if constexpr (std::is_same_v<T, std::map<std::string, Role>>) {
          auto v = to_roles(node, def.path, unknown);
          if (!v.ok()) return v.error();
          *field = std::move(*v);
        } else {
          static_assert(std::is_same_v<T, std::vector<ServerUser>>);
          auto v = to_users(node, def.path, unknown);
          if (!v.ok()) return v.error();
          *field = std::move(*v);
        }
        return Status::Ok();
      },
      def.field(cfg));
}

}  // namespace osapi::config
