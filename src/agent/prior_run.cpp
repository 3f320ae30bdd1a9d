#include "agent/prior_run.h"

#include "common/strings.h"
#include "job/model.h"

namespace osapi::agent {

Result<PriorRun> find_prior_run(messaging::KeyValue& jobs, const std::string& job_id,
                                const std::string& hostname, const std::string& machine_id,
                                bool any_host) {
  const std::string started_filter = job::status_prefix(job_id) + "started." +
                                     (any_host ? ">" : sanitize_kv_token(hostname) + ".*");
  auto started = jobs.last(started_filter);
  if (!started.ok()) return started.error();
  PriorRun out;
  if (!started->has_value()) return out;

  const auto& entry = **started;
  std::string started_by;  // machine id; absent in events of older agents
  auto event = job::StatusEvent::parse(entry.value);
  if (event.ok()) {
    out.hostname = event->hostname;
    auto id = event->data.find("machine_id");
    if (id != event->data.end() && id->is_string()) started_by = id->get<std::string>();
  }
  // status.<id>.started.<host>.<unix_nano>: the host token when the value is unreadable.
  const auto parts = split(entry.key, '.');
  const std::string host_token = parts.size() == 5 ? parts[3] : sanitize_kv_token(out.hostname);
  if (out.hostname.empty()) out.hostname = host_token;
  out.here = started_by.empty() ? sanitize_kv_token(out.hostname) == sanitize_kv_token(hostname)
                                : started_by == machine_id;
  if (!any_host && !out.here) return PriorRun{};  // another agent that shares our hostname

  auto answered = jobs.last(job::responses_prefix(job_id) + host_token + ".*");
  if (!answered.ok()) return answered.error();
  const bool after_start = answered->has_value() &&
                           job::key_unix_nano((*answered)->key) >= job::key_unix_nano(entry.key);
  out.state = after_start ? PriorRun::State::kFinished : PriorRun::State::kInterrupted;
  return out;
}

std::string interrupted_error(const PriorRun& prior) {
  std::string e = "agent restarted while the job was running";
  if (!prior.here) e += " (started on " + prior.hostname + ")";
  return e;
}

}  // namespace osapi::agent
