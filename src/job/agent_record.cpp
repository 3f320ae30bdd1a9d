#include "job/agent_record.h"

#include "common/strings.h"

namespace osapi::job {
namespace {

std::string str_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

template <typename T>
std::optional<T> num_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<T>();
}

template <typename T>
void put(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

}  // namespace

json AgentInfo::to_json() const {
  json j{{"machine_id", machine_id}, {"hostname", hostname}};
  if (!labels.empty()) {
    json l = json::object();
    for (const auto& [k, v] : labels) l[k] = v;
    j["labels"] = l;
  }
  j["registered_at"] = registered_at;
  if (!started_at.empty()) j["started_at"] = started_at;
  j["state"] = state;
  if (!fingerprint.empty()) j["fingerprint"] = fingerprint;
  if (!version.empty()) j["version"] = version;
  if (os_distribution || os_version)
    j["os_info"] = {{"distribution", os_distribution.value_or("")},
                    {"version", os_version.value_or("")}};
  put(j, "uptime", uptime_ns);
  if (load1 || load5 || load15)
    j["load_averages"] = {
        {"load1", load1.value_or(0)}, {"load5", load5.value_or(0)}, {"load15", load15.value_or(0)}};
  if (mem_total) {
    json m = json::object();
    put(m, "total", mem_total);
    put(m, "free", mem_free);
    put(m, "available", mem_available);
    put(m, "cached", mem_cached);
    j["memory_stats"] = m;
  }
  if (process_cpu_percent || process_rss_bytes) {
    json p = json::object();
    put(p, "cpu_percent", process_cpu_percent);
    put(p, "rss_bytes", process_rss_bytes);
    j["process"] = p;
  }
  if (!conditions.empty()) {
    json c = json::array();
    for (const auto& cond : conditions) {
      json e{{"type", cond.type}, {"status", cond.status}};
      if (!cond.reason.empty()) e["reason"] = cond.reason;
      e["last_transition_time"] = cond.last_transition_time;
      c.push_back(e);
    }
    j["conditions"] = c;
  }
  if (!sub_components.empty()) {
    json s = json::object();
    for (const auto& [name, sc] : sub_components) {
      json e{{"status", sc.status}};
      if (!sc.address.empty()) e["address"] = sc.address;
      s[name] = e;
    }
    j["sub_components"] = s;
  }
  return j;
}

Result<AgentInfo> AgentInfo::parse(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error(ErrorCode::kInvalidArgument, "malformed registry entry: not a JSON object");
  AgentInfo a;
  a.machine_id = str_field(j, "machine_id");
  a.hostname = str_field(j, "hostname");
  a.registered_at = str_field(j, "registered_at");
  a.started_at = str_field(j, "started_at");
  if (auto s = str_field(j, "state"); !s.empty()) a.state = s;
  a.fingerprint = str_field(j, "fingerprint");
  a.version = str_field(j, "version");
  if (auto l = j.find("labels"); l != j.end() && l->is_object()) {
    for (auto it = l->begin(); it != l->end(); ++it)
      if (it->is_string()) a.labels[it.key()] = it->get<std::string>();
  }
  if (auto os = j.find("os_info"); os != j.end() && os->is_object()) {
    a.os_distribution = str_field(*os, "distribution");
    a.os_version = str_field(*os, "version");
  }
  a.uptime_ns = num_field<int64_t>(j, "uptime");
  if (auto l = j.find("load_averages"); l != j.end() && l->is_object()) {
    a.load1 = num_field<double>(*l, "load1");
    a.load5 = num_field<double>(*l, "load5");
    a.load15 = num_field<double>(*l, "load15");
  }
  if (auto m = j.find("memory_stats"); m != j.end() && m->is_object()) {
    a.mem_total = num_field<int64_t>(*m, "total");
    a.mem_free = num_field<int64_t>(*m, "free");
    a.mem_available = num_field<int64_t>(*m, "available");
    a.mem_cached = num_field<int64_t>(*m, "cached");
  }
  if (auto p = j.find("process"); p != j.end() && p->is_object()) {
    a.process_cpu_percent = num_field<double>(*p, "cpu_percent");
    a.process_rss_bytes = num_field<int64_t>(*p, "rss_bytes");
  }
  if (auto c = j.find("conditions"); c != j.end() && c->is_array()) {
    for (const auto& e : *c) {
      if (!e.is_object()) continue;
      Condition cond;
      cond.type = str_field(e, "type");
      auto st = e.find("status");
      cond.status = st != e.end() && st->is_boolean() && st->get<bool>();
      cond.reason = str_field(e, "reason");
      cond.last_transition_time = str_field(e, "last_transition_time");
      if (!cond.type.empty()) a.conditions.push_back(std::move(cond));
    }
  }
  if (auto s = j.find("sub_components"); s != j.end() && s->is_object()) {
    for (auto it = s->begin(); it != s->end(); ++it) {
      if (!it->is_object()) continue;
      a.sub_components[it.key()] = {str_field(*it, "status"), str_field(*it, "address")};
    }
  }
  if (a.hostname.empty())
    return Error(ErrorCode::kInvalidArgument, "malformed registry entry: missing hostname");
  return a;
}

std::string AgentInfo::key() const {
  return registry_key(machine_id.empty() ? hostname : machine_id);
}

std::string registry_key(const std::string& machine_id) {
  return "agents." + sanitize_subject_token(machine_id);
}

}  // namespace osapi::job
