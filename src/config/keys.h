// The single table of known config keys. It drives YAML reading, OSAPI_*
// env overrides, flag overrides and the masked dump, so each key is written exactly once.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace YAML {
class Node;
}

namespace osapi::config {

// A typed pointer to the Config field a key lands in.
using FieldRef = std::variant<std::string*, int*, long long*, bool*, double*, Duration*,
                              std::vector<std::string>*, std::vector<Duration>*,
                              std::map<std::string, std::string>*, std::map<std::string, Role>*,
                              std::vector<ServerUser>*>;

struct KeyDef {
  std::string_view path;  // dotted YAML path, e.g. "controller.api.port"
  FieldRef (*field)(Config&);
  double min = -std::numeric_limits<double>::infinity();  // numeric range (inclusive)
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  // value must be > min (validate tag gt=), not >= min
  std::string_view one_of;     // allowed string values, '|'-separated; empty = any
  bool kv_pairs = false;       // map also accepts "k1=v1,k2=v2" text
  bool secret = false;         // value masked in dumps
};

const std::vector<KeyDef>& key_table();
// nullptr when `path` is not a known key.
const KeyDef* find_key(std::string_view path);
// True when `path` is a proper prefix (a section) of some known key, e.g. "controller.api".
bool is_section(std::string_view path);
// "OSAPI_" + upper(path with '.' → '_'): "controller.api.port" → "OSAPI_CONTROLLER_API_PORT".
std::string env_name(std::string_view path);

// Converts `node` (a YAML value, or a scalar holding env/flag text) to the key's type and
// stores it; the field is untouched on error (message = the reason). Unknown fields inside
// structured values (roles, users) are appended to `unknown` as dotted paths.
Status assign_value(const KeyDef& def, Config& cfg, const YAML::Node& node,
                    std::vector<std::string>& unknown);

}  // namespace osapi::config
