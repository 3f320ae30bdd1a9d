#include "cli/json_fields.h"

#include <map>

#include "common/strings.h"
#include "common/time.h"

namespace osapi::cli {

namespace {
const Json* field(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
}  // namespace

std::string str(const Json& j, const char* key) {
  const Json* v = field(j, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

std::optional<double> number(const Json& j, const char* key) {
  const Json* v = field(j, key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

std::optional<long long> integer(const Json& j, const char* key) {
  const Json* v = field(j, key);
  if (!v || !(v->is_number_integer() || v->is_number_unsigned())) return std::nullopt;
  return v->get<long long>();
}

std::optional<bool> boolean(const Json& j, const char* key) {
  const Json* v = field(j, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  const Json* v = field(j, key);
  if (!v || !v->is_array()) return out;
  for (const auto& e : *v)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

Json object(const Json& j, const char* key) {
  const Json* v = field(j, key);
  return v && v->is_object() ? *v : Json::object();
}

Json array(const Json& j, const char* key) {
  const Json* v = field(j, key);
  return v && v->is_array() ? *v : Json::array();
}

std::string integer_text(const Json& j, const char* key) {
  const auto v = integer(j, key);
  return v ? std::to_string(*v) : "N/A";
}

std::string labels_text(const Json& labels) {
  if (!labels.is_object()) return "";
  std::map<std::string, std::string> sorted;
  for (auto it = labels.begin(); it != labels.end(); ++it)
    sorted[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(k + ":" + v);
  return join(parts, ", ");
}

std::string age_since(const std::string& rfc3339_text, std::chrono::system_clock::time_point now) {
  Clock::time_point t;
  if (rfc3339_text.empty() || !parse_rfc3339(rfc3339_text, t)) return "";
  return format_age(std::chrono::duration_cast<std::chrono::seconds>(now - t));
}

Json results_of(const Json& body) {
  return array(body, "results");
}

ResultRow result_row(const Json& item, std::vector<std::string> cells) {
  ResultRow r;
  r.hostname = str(item, "hostname");
  r.status = str(item, "status");
  r.changed = boolean(item, "changed");
  r.error = str(item, "error");
  r.cells = std::move(cells);
  return r;
}

size_t failed_items(const Json& results) {
  size_t n = 0;
  for (const auto& item : results)
    if (outcome_of(result_row(item, {})) == Outcome::kFailed) ++n;
  return n;
}

}  // namespace osapi::cli
