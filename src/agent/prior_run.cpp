#include "agent/prior_run.h"

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

Result<PriorRun> find_prior_run(messaging::KeyValue& jobs, const std::string& job_id,
                                const std::string& hostname, const std::string& machine_id,
                                bool any_host) {
  auto marker = jobs.get(run_marker_key(job_id, hostname, any_host));
  if (!marker.ok()) return marker.error();
  PriorRun out;
  if (!marker->has_value()) return out;

  // A marker that cannot be read still says the job started: here, at an unknown time.
  const job::RunMarker m = job::parse_run_marker((*marker)->value);
  out.hostname = m.hostname;
  const std::string& started_by = m.machine_id;
  const int64_t started_at = m.unix_nano;
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
