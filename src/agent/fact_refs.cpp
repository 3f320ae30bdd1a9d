#include "agent/fact_refs.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "job/fact_keys.h"

namespace osapi::agent {

namespace {

bool ends_reference(char c) {
  return c == ' ' || c == '"' || c == '\'' || c == ',' || c == ';';
}

Error unresolvable(std::string_view ref, ErrorCode code, const char* reason) {
  return make_error(code, "unresolvable fact reference \"" + std::string(ref) + "\": " + reason);
}

// Value of `key` (the text after "@fact."), or the reason it has none.
Result<std::string> lookup(std::string_view ref, std::string_view key, const FactValues& f) {
  if (!f.collected) return unresolvable(ref, ErrorCode::kUnavailable, "facts not collected");
  const std::string* value = nullptr;
  if (key == "interface.primary") {
    value = &f.primary_interface;
  } else if (key == "hostname") {
    value = &f.hostname;
  } else if (key == "arch") {
    value = &f.arch;
  } else if (key == "kernel") {
    value = &f.kernel;
  } else if (key == "fqdn") {
    value = &f.fqdn;
  } else if (key == "containerized") {
    return std::string(f.containerized ? "true" : "false");
  } else if (key.size() > job::kCustomFactPrefix.size() &&
             key.starts_with(job::kCustomFactPrefix)) {
    auto it = f.custom.find(std::string(key.substr(job::kCustomFactPrefix.size())));
    if (it == f.custom.end())
      return unresolvable(ref, ErrorCode::kInvalidArgument, "custom fact not set");
    value = &it->second;
  } else {
    return unresolvable(ref, ErrorCode::kInvalidArgument, "unknown fact key");
  }
  if (value->empty()) return unresolvable(ref, ErrorCode::kInvalidArgument, "fact has no value");
  return *value;
}

// Visits every string value in document order until `visit` returns true, without recursion:
// job data comes off the wire and may nest arbitrarily deep.
template <typename Json, typename Visit>
bool any_string(Json& root, Visit&& visit) {
  std::vector<Json*> stack{&root};
  while (!stack.empty()) {
    Json* j = stack.back();
    stack.pop_back();
    if (j->is_string()) {
      if (visit(*j)) return true;
    } else if (j->is_structured()) {
      const size_t first = stack.size();
      for (auto it = j->begin(); it != j->end(); ++it) stack.push_back(&it.value());
      std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
    }
  }
  return false;
}

bool has_prefix_inside(const json& j) {
  return j.get_ref<const std::string&>().find(job::kFactPrefix) != std::string::npos;
}

}  // namespace

FactValues fact_values_from(const provider::Facts& facts, const std::string& hostname) {
  FactValues v;
  v.collected = true;
  v.primary_interface = facts.primary_interface;
  v.hostname = hostname;
  v.arch = facts.architecture;
  v.kernel = facts.kernel_version;
  v.fqdn = facts.fqdn;
  v.containerized = facts.containerized;
  return v;
}

bool contains_fact_refs(const json& data) {
  return any_string(data, [](const json& s) { return has_prefix_inside(s); });
}

Result<std::string> resolve_fact_refs_in_string(std::string_view text, const FactValues& facts) {
  const std::string_view prefix = job::kFactPrefix;
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t start = text.find(prefix, pos);
    if (start == std::string_view::npos) break;
    size_t end = start + prefix.size();
    while (end < text.size() && !ends_reference(text[end])) ++end;
    const std::string_view ref = text.substr(start, end - start);
    auto value = lookup(ref, ref.substr(prefix.size()), facts);
    if (!value.ok()) return value.error();
    out.append(text.substr(pos, start - pos));
    out.append(*value);
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

Status resolve_fact_refs_in_place(json& data, const FactValues& facts) {
  Status status;
  any_string(data, [&](json& s) {
    auto& text = s.get_ref<std::string&>();
    if (text.find(job::kFactPrefix) == std::string::npos) return false;
    auto resolved = resolve_fact_refs_in_string(text, facts);
    if (!resolved.ok()) {
      status = resolved.error();
      return true;  // stop at the first failure
    }
    text = std::move(resolved).value();
    return false;
  });
  return status;
}

Result<json> resolve_fact_refs(const json& data, const FactValues& facts) {
  if (!contains_fact_refs(data)) return data;
  json copy = data;
  if (auto st = resolve_fact_refs_in_place(copy, facts); !st.ok()) return st.error();
  return copy;
}

}  // namespace osapi::agent
