#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "common/time.h"
#include "config/keys.h"
#include "config/old_keys.h"

extern char** environ;

namespace osapi::config {
namespace {

class Loader {
 public:
  explicit Loader(Loaded& out) : out_(out) {}

  void apply(const KeyDef& def, const YAML::Node& value, const std::string& source) {
    Status st = assign_value(def, out_.config, value, out_.unknown_keys);
    if (st.ok()) {
      clear_error(std::string(def.path));
    } else {
      set_error(std::string(def.path), st.error().message, source);
    }
  }

  // Walks a YAML mapping; `prefix` is the dotted path of `node` ("" at the top).
  void walk(const YAML::Node& node, const std::string& prefix) {
    for (const auto& kv : node) {
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      const std::string path = prefix.empty() ? name : prefix + "." + name;
      if (const KeyDef* def = find_key(path)) {
        apply(*def, kv.second, path);
      } else if (is_section(path)) {
        if (kv.second.IsMap()) {
          walk(kv.second, path);
        } else if (!kv.second.IsNull()) {
          set_error(path, "expected a mapping", path);
        }
      } else if (is_old_section(path) && kv.second.IsMap() && kv.second.size() > 0) {
        walk(kv.second, path);  // name the leaf key of the old layout
      } else if (auto moved = moved_key_message(path)) {
        if (!moved_) moved_ = *moved;  // also an old key with an empty value: `labels: {}`
      } else if (!(is_old_section(path) && kv.second.IsMap())) {
        out_.unknown_keys.push_back(path);
      }
    }
  }

  void set_error(const std::string& key, const std::string& reason, const std::string& source) {
    for (auto& e : out_.invalid) {
      if (e.key == key) {
        e.reason = reason;
        e.source = source;
        return;
      }
    }
    out_.invalid.push_back(KeyError{key, reason, source});
  }

  // The first key of the old layout met in the file, if any.
  const std::optional<std::string>& moved() const { return moved_; }

  void clear_error(const std::string& key) {
    std::erase_if(out_.invalid, [&](const KeyError& e) { return e.key == key; });
  }

 private:
  Loaded& out_;
  std::optional<std::string> moved_;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string errno_text(int err) {
  return to_lower(std::strerror(err));
}

Result<std::string> read_whole_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return Error(ErrorCode::kNotFound, errno_text(errno));
  std::string data;
  char buf[8192];
  while (true) {
    const size_t n = std::fread(buf, 1, sizeof buf, f.get());
    data.append(buf, n);
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get())) return Error(ErrorCode::kInternal, errno_text(errno));
  return data;
}

std::string yaml_error_text(const YAML::Exception& e) {
  if (e.mark.is_null()) return "yaml: " + e.msg;
  return "yaml: line " + std::to_string(e.mark.line + 1) + ", column " +
         std::to_string(e.mark.column + 1) + ": " + e.msg;
}

Error read_error(const std::string& path, const std::string& reason) {
  return Error(ErrorCode::kInvalidArgument, "failed to read config " + path + ": " + reason);
}

// --- masked dump ---------------------------------------------------------------------------

constexpr const char* kMask = "****";

std::string masked(const std::string& v, bool secret) {
  return secret && !v.empty() ? kMask : v;
}

nlohmann::ordered_json field_json(const KeyDef& def, const Config& cfg) {
  // The table hands out mutable pointers; the dump only reads through them.
  return std::visit(
      [&](auto* field) -> nlohmann::ordered_json {
        using T = std::remove_pointer_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return masked(*field, def.secret);
        } else if constexpr (std::is_same_v<T, Duration>) {
          return format_go_duration(*field);
        } else if constexpr (std::is_same_v<T, std::vector<Duration>>) {
          auto arr = nlohmann::ordered_json::array();
          for (const auto& d : *field) arr.push_back(format_go_duration(d));
          return arr;
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
          auto obj = nlohmann::ordered_json::object();
          for (const auto& [k, v] : *field) obj[k] = masked(v, def.secret);
          return obj;
        } else if constexpr (std::is_same_v<T, std::map<std::string, Role>>) {
          auto obj = nlohmann::ordered_json::object();
          for (const auto& [k, role] : *field) obj[k] = {{"permissions", role.permissions}};
          return obj;
        } else if constexpr (std::is_same_v<T, std::vector<ServerUser>>) {
          auto arr = nlohmann::ordered_json::array();
          for (const auto& u : *field) {
            arr.push_back({{"username", u.username}, {"password", masked(u.password, true)}});
          }
          return arr;
        } else {
          return *field;  // int, long long, bool, double, vector<string>
        }
      },
      def.field(const_cast<Config&>(cfg)));
}

}  // namespace

std::map<std::string, std::string> environment_snapshot() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

Result<Loaded> load(const LoadOptions& options) {
  Loaded out;
  std::string path = options.path;
  if (path.empty()) {
    auto it = options.env.find(env_name("osapiFile"));
    if (it != options.env.end()) path = it->second;
  }
  if (path.empty()) path = kDefaultConfigPath;
  out.path = path;

  auto text = read_whole_file(path);
  if (!text.ok()) return read_error(path, text.error().message);
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return read_error(path, yaml_error_text(e));
  }
  if (!root.IsNull() && !root.IsMap()) {
    return read_error(path, "top level must be a mapping of keys");
  }

  Loader loader(out);
  if (root.IsMap()) loader.walk(root, "");
  if (loader.moved()) return Error(ErrorCode::kInvalidArgument, path + ": " + *loader.moved());
  if (auto moved = moved_env_message(options.env))
    return Error(ErrorCode::kInvalidArgument, *moved);

  // Env applies to every known key, present in the file or not.
  for (const auto& def : key_table()) {
    if (def.path == "osapiFile") continue;  // already used to pick the file
    const std::string var = env_name(def.path);
    auto it = options.env.find(var);
    if (it != options.env.end()) loader.apply(def, YAML::Node(it->second), var);
  }
  for (const auto& [key, value] : options.flags) {
    if (key == "osapiFile") continue;
    if (const KeyDef* def = find_key(key)) {
      loader.apply(*def, YAML::Node(value), key);
    } else {
      loader.set_error(key, "unknown config key", key);
    }
  }

  out.config.osapi_file = path;
  if (out.config.debug) out.config.telemetry.tracing.enabled = true;
  return out;
}

std::string dump_masked(const Config& config) {
  auto root = nlohmann::ordered_json::object();
  for (const auto& def : key_table()) {
    nlohmann::ordered_json* node = &root;
    for (const auto& seg : split(def.path, '.')) node = &(*node)[seg];
    *node = field_json(def, config);
  }
  // Config strings are not checked for UTF-8: replace bad bytes rather than throw (fuzzing).
  return root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::vector<std::string> known_keys() {
  std::vector<std::string> keys;
  for (const auto& def : key_table()) keys.emplace_back(def.path);
  return keys;
}

std::string env_var_for(const std::string& key) {
  return env_name(key);
}

}  // namespace osapi::config
