#include "job/status.h"

#include <algorithm>

namespace osapi::job {

namespace {

constexpr const char* kApiHost = "_api";

std::string message_for(const StatusEvent& e) {
  const std::string& h = e.hostname;
  if (e.event == "submitted") return "Job submitted to queue";
  if (e.event == "acknowledged") return "Job acknowledged by agent " + h;
  if (e.event == "started") return "Job processing started on " + h;
  if (e.event == "completed") return "Job completed successfully on " + h;
  if (e.event == "failed" && h == kApiHost) return "Job was not queued";
  if (e.event == "failed") return "Job failed on " + h;
  if (e.event == "skipped") return "Job skipped on " + h;
  if (e.event == "retried") {
    auto it = e.data.find("new_job_id");
    return "Job retried as " +
           (it != e.data.end() && it->is_string() ? it->get<std::string>() : "");
  }
  return e.event;
}

std::string error_of(const StatusEvent& e) {
  auto it = e.data.find("error");
  return it != e.data.end() && it->is_string() ? it->get<std::string>() : "";
}

bool terminal(const std::string& ev) {
  return ev == "completed" || ev == "failed" || ev == "skipped";
}

}  // namespace

JobView compute_status(JobRecord record, std::vector<StatusEvent> events,
                       std::vector<JobResponse> responses) {
  JobView v;
  v.record = std::move(record);
  std::stable_sort(events.begin(), events.end(), [](const StatusEvent& a, const StatusEvent& b) {
    return a.unix_nano < b.unix_nano;
  });

  struct HostTrack {
    std::string latest;
    std::string error;
    int64_t first_start = 0;
    int64_t last_end = 0;
  };
  std::map<std::string, HostTrack> hosts;
  int64_t last_terminal_ns = -1;
  int64_t latest_failed_ns = -1;
  std::string latest_failed_error;

  // The API's own `failed` event: the job was never queued (its notification could not be
  // published). It decides the status only while no agent has reported anything.
  std::optional<std::string> api_failed;
  for (const auto& e : events) {
    v.timeline.push_back({e.unix_nano, e.event, e.hostname, message_for(e), error_of(e)});
    if (e.hostname == kApiHost) {
      if (e.event == "failed") api_failed = error_of(e);
      continue;
    }
    auto& h = hosts[e.hostname];
    h.latest = e.event;
    if (e.event == "started" && h.first_start == 0) h.first_start = e.unix_nano;
    if (terminal(e.event)) {
      h.last_end = e.unix_nano;
      h.error = e.event != "completed" ? error_of(e) : "";
      if (e.unix_nano >= last_terminal_ns) {
        last_terminal_ns = e.unix_nano;
        v.hostname = e.hostname;
      }
      if (e.event == "failed" && e.unix_nano >= latest_failed_ns) {
        latest_failed_ns = e.unix_nano;
        latest_failed_error = error_of(e);
      }
    }
  }
  if (!events.empty()) v.updated_at = rfc3339_nano(from_unix_nano(events.back().unix_nano));

  size_t completed = 0, failed = 0, skipped = 0, running = 0;
  for (const auto& [name, h] : hosts) {
    AgentState st;
    st.status = h.latest;
    if (h.latest == "failed" || h.latest == "skipped") st.error = h.error;
    if (h.first_start != 0 && h.last_end >= h.first_start)
      st.duration = format_go_duration(Nanos(h.last_end - h.first_start));
    v.agent_states[name] = st;
    if (h.latest == "completed")
      ++completed;
    else if (h.latest == "failed")
      ++failed;
    else if (h.latest == "skipped")
      ++skipped;
    else
      ++running;
  }
  if (hosts.empty() && api_failed) {
    v.status = "failed";
    v.error = *api_failed;
  } else if (hosts.empty())
    v.status = "submitted";
  else if (running > 0)
    v.status = "processing";
  else if (failed == 0)
    v.status = skipped > 0 && completed == 0 ? "skipped" : "completed";
  else if (completed == 0) {
    v.status = "failed";
    v.error = latest_failed_error;
  } else {
    v.status = "partial_failure";
    v.error = latest_failed_error;
  }

  for (auto& r : responses) {
    auto it = v.responses.find(r.hostname);
    if (it == v.responses.end() || it->second.unix_nano <= r.unix_nano)
      v.responses[r.hostname] = std::move(r);
  }
  if (v.responses.size() == 1) {
    const auto& only = v.responses.begin()->second;
    if (!only.data.is_null()) v.result = only.data;
    v.changed = only.changed;
  } else {
    for (const auto& [host, r] : v.responses)
      if (r.changed) v.changed = v.changed.value_or(false) || *r.changed;
  }
  return v;
}

namespace {

json base_json(const JobView& v) {
  json j;
  j["id"] = v.record.id;
  j["status"] = v.status;
  j["created"] = v.record.created;
  if (!v.record.operation.is_null()) j["operation"] = v.record.operation;
  if (!v.error.empty()) j["error"] = v.error;
  if (!v.hostname.empty()) j["hostname"] = v.hostname;
  if (!v.updated_at.empty()) j["updated_at"] = v.updated_at;
  if (!v.result.is_null()) j["result"] = v.result;
  if (v.changed) j["changed"] = *v.changed;
  return j;
}

// The trace id of a W3C traceparent "00-<32 hex>-<16 hex>-<2 hex>" ("" when malformed).
std::string trace_id_of(const std::string& traceparent) {
  if (traceparent.size() < 55 || traceparent[2] != '-' || traceparent[35] != '-') return "";
  std::string id = traceparent.substr(3, 32);
  for (const char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  if (id == std::string(32, '0')) return "";
  return id;
}

}  // namespace

json to_list_item_json(const JobView& v) {
  return base_json(v);
}

json to_detail_json(const JobView& v) {
  json j = base_json(v);
  // Beyond upstream: the trace that created the job, so `job get` can point at it.
  if (const std::string id = trace_id_of(v.record.traceparent); !id.empty()) j["trace_id"] = id;
  if (v.responses.size() > 1) {
    json rs = json::object();
    for (const auto& [host, r] : v.responses) {
      json item{{"status", r.status}, {"hostname", r.hostname}};
      if (!r.data.is_null()) item["data"] = r.data;
      if (!r.error.empty()) item["error"] = r.error;
      if (r.changed) item["changed"] = *r.changed;
      rs[host] = item;
    }
    j["responses"] = rs;
  }
  if (!v.agent_states.empty()) {
    json as = json::object();
    for (const auto& [host, s] : v.agent_states) {
      json item{{"status", s.status}};
      if (!s.error.empty()) item["error"] = s.error;
      if (!s.duration.empty()) item["duration"] = s.duration;
      as[host] = item;
    }
    j["agent_states"] = as;
  }
  if (!v.timeline.empty()) {
    json tl = json::array();
    for (const auto& t : v.timeline) {
      json item{{"timestamp", rfc3339(from_unix_nano(t.unix_nano))},
                {"event", t.event},
                {"hostname", t.hostname},
                {"message", t.message}};
      if (!t.error.empty()) item["error"] = t.error;
      tl.push_back(item);
    }
    j["timeline"] = tl;
  }
  return j;
}

}  // namespace osapi::job
