#include "job/model.h"

#include "common/strings.h"

namespace osapi::job {

namespace {

Error bad(const std::string& what, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "malformed " + what + ": " + why);
}

std::string str_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

std::string job_key(const std::string& id) {
  return "jobs." + id;
}
std::string status_prefix(const std::string& id) {
  return "status." + id + ".";
}
std::string responses_prefix(const std::string& id) {
  return "responses." + id + ".";
}

std::string runs_prefix(const std::string& id) {
  return "runs." + id + ".";
}

std::string run_marker_key(const std::string& id, const std::string& scope) {
  return runs_prefix(id) + scope;
}

std::string run_marker_value(const std::string& hostname, const std::string& machine_id,
                             int64_t unix_nano) {
  return json{{"hostname", hostname}, {"machine_id", machine_id}, {"unix_nano", unix_nano}}.dump();
}

RunMarker parse_run_marker(const std::string& value) {
  RunMarker out;
  const auto doc = json::parse(value, nullptr, false);
  if (!doc.is_object()) return out;
  auto text = [&doc](const char* field) {
    auto it = doc.find(field);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.hostname = text("hostname");
  out.machine_id = text("machine_id");
  if (auto it = doc.find("unix_nano"); it != doc.end() && it->is_number_integer())
    out.unix_nano = it->get<int64_t>();
  return out;
}

int64_t key_unix_nano(const std::string& key) {
  const auto dot = key.rfind('.');
  if (dot == std::string::npos) return 0;
  long long v = 0;
  if (!parse_int64(std::string_view(key).substr(dot + 1), v)) return 0;
  return v;
}

json JobRecord::to_json() const {
  json j;
  j["id"] = id;
  j["status"] = "unprocessed";
  j["created"] = created;
  j["subject"] = subject;
  j["operation"] = operation;
  j["status_history"] = json::array({json{{"status", "unprocessed"}, {"timestamp", created}}});
  if (!traceparent.empty()) j["traceparent"] = traceparent;
  if (!tracestate.empty()) j["tracestate"] = tracestate;
  return j;
}

Result<JobRecord> JobRecord::parse(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("job record", "not a JSON object");
  JobRecord r;
  r.id = str_field(j, "id");
  r.created = str_field(j, "created");
  r.subject = str_field(j, "subject");
  auto op = j.find("operation");
  r.operation = op == j.end() ? json() : *op;
  r.traceparent = str_field(j, "traceparent");
  r.tracestate = str_field(j, "tracestate");
  return r;
}

std::string JobRecord::type() const {
  if (!operation.is_object()) return "";
  return str_field(operation, "type");
}

std::string StatusEvent::key() const {
  return "status." + job_id + "." + event + "." + sanitize_kv_token(hostname) + "." +
         std::to_string(unix_nano);
}

json StatusEvent::to_json() const {
  return json{{"job_id", job_id},       {"event", event},
              {"hostname", hostname},   {"timestamp", rfc3339_nano(from_unix_nano(unix_nano))},
              {"unix_nano", unix_nano}, {"data", data}};
}

Result<StatusEvent> StatusEvent::parse(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("status event", "not a JSON object");
  StatusEvent e;
  e.job_id = str_field(j, "job_id");
  e.event = str_field(j, "event");
  e.hostname = str_field(j, "hostname");
  auto un = j.find("unix_nano");
  if (un != j.end() && un->is_number_integer()) e.unix_nano = un->get<int64_t>();
  if (e.unix_nano == 0) {
    Clock::time_point t;
    if (parse_rfc3339(str_field(j, "timestamp"), t)) e.unix_nano = osapi::unix_nano(t);
  }
  auto d = j.find("data");
  if (d != j.end() && d->is_object()) e.data = *d;
  if (e.event.empty()) return bad("status event", "missing event");
  return e;
}

std::string JobResponse::key() const {
  return "responses." + job_id + "." + sanitize_kv_token(hostname) + "." +
         std::to_string(unix_nano);
}

json JobResponse::to_json() const {
  json j{{"job_id", job_id}, {"status", status}};
  if (!data.is_null() && !(data.is_object() && data.empty())) j["data"] = data;
  if (!error.empty()) j["error"] = error;
  if (changed.has_value()) j["changed"] = *changed;
  j["hostname"] = hostname;
  j["timestamp"] = rfc3339_nano(from_unix_nano(unix_nano));
  return j;
}

Result<JobResponse> JobResponse::parse(const std::string& text, int64_t key_unix_nano) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("job response", "not a JSON object");
  JobResponse r;
  r.job_id = str_field(j, "job_id");
  r.status = str_field(j, "status");
  r.error = str_field(j, "error");
  r.hostname = str_field(j, "hostname");
  auto d = j.find("data");
  if (d != j.end()) r.data = *d;
  auto c = j.find("changed");
  if (c != j.end() && c->is_boolean()) r.changed = c->get<bool>();
  r.unix_nano = key_unix_nano;
  if (r.unix_nano == 0) {
    Clock::time_point t;
    if (parse_rfc3339(str_field(j, "timestamp"), t)) r.unix_nano = osapi::unix_nano(t);
  }
  return r;
}

}  // namespace osapi::job
