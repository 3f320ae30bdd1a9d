#include "agent/prior_run.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "job/model.h"

namespace osapi::agent {

namespace {

std::string marker_scope(const std::string& hostname, bool any_host) {
  return any_host ? "_any" : sanitize_kv_token(hostname);
}

}  // namespace

std::string run_marker_key(const std::string& job_id, const std::string& hostname, bool any_host) {
  return job::run_marker_key(job_id, marker_scope(hostname, any_host));
}

std::string run_marker_value(const std::string& hostname, const std::string& machine_id,
                             int64_t unix_nano) {
  return nlohmann::json{
      {"hostname", hostname}, {"machine_id", machine_id}, {"unix_nano", unix_nano}}
      .dump();
}

Result<PriorRun> find_prior_run(messaging::KeyValue& jobs, const std::string& job_id,
                                const std::string& hostname, const std::string& machine_id,
                                bool any_host) {
  auto marker = jobs.get(run_marker_key(job_id, hostname, any_host));
  if (!marker.ok()) return marker.error();
  PriorRun out;
  if (!marker->has_value()) return out;

  // A marker that cannot be read still says the job started: here, at an unknown time.
  std::string started_by;
  int64_t started_at = 0;
  const auto doc = nlohmann::json::parse((*marker)->value, nullptr, false);
  if (doc.is_object()) {
    // Anyone who can write the bucket can write this value: only fields of the right type.
    auto text = [&doc](const char* field) {
      auto it = doc.find(field);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    out.hostname = text("hostname");
    started_by = text("machine_id");
    if (auto it = doc.find("unix_nano"); it != doc.end() && it->is_number_integer())
      started_at = it->get<int64_t>();
  }
  if (out.hostname.empty()) out.hostname = hostname;
  out.here = started_by.empty() ? sanitize_kv_token(out.hostname) == sanitize_kv_token(hostname)
                                : started_by == machine_id;
  if (!any_host && !out.here) return PriorRun{};  // another agent that shares our hostname

  // Only a redelivery gets here: one "newest response of that host" read settles it.
  auto answered = jobs.last(job::responses_prefix(job_id) + sanitize_kv_token(out.hostname) + ".*");
  if (!answered.ok()) return answered.error();
  const bool after_start =
      answered->has_value() && job::key_unix_nano((*answered)->key) >= started_at;
  out.state = after_start ? PriorRun::State::kFinished : PriorRun::State::kInterrupted;
  return out;
}

std::string interrupted_error(const PriorRun& prior) {
  std::string e = "agent restarted while the job was running";
  if (!prior.here) e += " (started on " + prior.hostname + ")";
  return e;
}

}  // namespace osapi::agent
