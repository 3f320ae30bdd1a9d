#include "job/client.h"

#include <algorithm>
#include <map>

#include <opentelemetry/trace/provider.h>
#include <opentelemetry/trace/scope.h>

#include "common/ids.h"
#include "logging/logger.h"
#include "telemetry/propagation.h"
#include "telemetry/tracing.h"

namespace osapi::job {

namespace trace = opentelemetry::trace;

JobClient::JobClient(std::shared_ptr<messaging::Connection> conn,
                     std::shared_ptr<messaging::KeyValue> jobs, Names names)
    : conn_(std::move(conn)), jobs_(std::move(jobs)), names_(std::move(names)) {}

Result<Submitted> JobClient::submit(const json& operation, const Target& target, OpKind kind) {
  return submit_with_id(uuid_v4(), operation, target, kind);
}

Result<Submitted> JobClient::submit_with_id(const std::string& id, const json& operation,
                                            const Target& target, OpKind kind) {
  const auto now = Clock::now();
  Submitted out;
  out.job_id = id;
  out.subject = subject_for(names_, kind, target);
  out.created = rfc3339(now);

  // The server span (if any) learns the job id.
  trace::Tracer::GetCurrentSpan()->SetAttribute("job.id", id);

  auto tracer = telemetry::tracer();
  trace::StartSpanOptions so;
  so.kind = trace::SpanKind::kProducer;
  auto span = tracer->StartSpan("publish " + out.subject,
                                {{"messaging.system", "nats"},
                                 {"messaging.operation.name", "publish"},
                                 {"messaging.operation.type", "send"},
                                 {"messaging.destination.name", out.subject},
                                 {"messaging.message.id", id},
                                 {"messaging.message.body.size", static_cast<int64_t>(id.size())},
                                 {"job.id", id}},
                                so);
  trace::Scope scope(span);
  auto fail = [&](const Error& e) -> Error {
    telemetry::record_error(*span, "nats", e.message);
    span->End();
    return e;
  };

  Headers headers;
  telemetry::inject_current(headers);
  JobRecord rec;
  rec.id = id;
  rec.created = out.created;
  rec.subject = out.subject;
  rec.operation = operation;
  if (const auto* tp = find_header(headers, "traceparent")) rec.traceparent = *tp;
  if (const auto* ts = find_header(headers, "tracestate")) rec.tracestate = *ts;

  const bool broadcast = target.broadcast();
  logging::info(broadcast ? "publishing broadcast job request" : "publishing job request",
                {{"job_id", id}, {"subject", out.subject}, {"type", kind_name(kind)}});

  auto rev = jobs_->put(job_key(id), rec.to_json().dump());
  if (!rev.ok()) return fail(rev.error().wrap("failed to store job"));
  out.revision = *rev;

  StatusEvent ev;
  ev.job_id = id;
  ev.event = "submitted";
  ev.hostname = "_api";
  ev.unix_nano = unix_nano(now);
  ev.data = json{{"target_hostname", target.raw}, {"operation_type", rec.type()}};
  auto evr = jobs_->put(ev.key(), ev.to_json().dump());
  if (!evr.ok()) return fail(evr.error().wrap("failed to store job event"));

  auto pub = conn_->js_publish(out.subject, id, headers, id);
  if (!pub.ok()) return fail(pub.error().wrap("failed to publish job notification"));
  span->End();
  return out;
}

Result<Outcome> JobClient::run(const json& operation, const Target& target, OpKind kind,
                               const WaitOptions& wait) {
  const std::string id = uuid_v4();
  // Watch first: the watch replays existing keys, so no response can be missed either way.
  auto watcher = jobs_->watch(responses_prefix(id) + ">");
  if (!watcher.ok()) return watcher.error().wrap("failed to watch job responses");
  auto sub = submit_with_id(id, operation, target, kind);
  if (!sub.ok()) return sub.error();

  const bool broadcast = target.broadcast();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + wait.timeout;
  std::map<std::string, JobResponse> by_host;
  std::chrono::steady_clock::time_point last_response{};

  while (true) {
    const auto now = std::chrono::steady_clock::now();
    auto until = deadline;
    if (broadcast && !by_host.empty()) until = std::min(until, last_response + wait.quiet);
    if (now >= until) break;
    auto entry =
        (*watcher)->next(std::chrono::duration_cast<std::chrono::nanoseconds>(until - now));
    if (!entry.ok()) return entry.error().wrap("failed to await job response");
    if (!entry->has_value()) continue;  // timed out this round; loop re-checks deadlines
    const auto& e = **entry;
    if (e.deleted) continue;
    auto resp = JobResponse::parse(e.value, key_unix_nano(e.key));
    if (!resp.ok()) continue;
    if (resp->job_id.empty()) resp->job_id = id;
    logging::info(broadcast ? "received broadcast response" : "received job response",
                  {{"job_id", id}, {"hostname", resp->hostname}, {"status", resp->status}});
    if (!broadcast) return Outcome{id, {std::move(*resp)}};
    last_response = std::chrono::steady_clock::now();
    by_host[resp->hostname] = std::move(*resp);
    if (!wait.expected_hosts.empty() &&
        std::all_of(wait.expected_hosts.begin(), wait.expected_hosts.end(),
                    [&](const std::string& h) { return by_host.count(h) > 0; }))
      break;
  }

  if (!broadcast)
    return Error(ErrorCode::kTimeout,
                 "failed to publish and wait: timeout waiting for job response: context deadline "
                 "exceeded");
  if (by_host.empty())
    return Error(ErrorCode::kTimeout,
                 "failed to collect broadcast responses: timeout waiting for broadcast responses: "
                 "no agents responded");
  Outcome out{id, {}};
  for (auto& [h, r] : by_host)
    if (r.status != "failed") out.responses.push_back(r);
  for (auto& [h, r] : by_host)
    if (r.status == "failed") out.responses.push_back(r);
  return out;
}

Result<JobView> JobClient::get(const std::string& id) {
  auto rec_entry = jobs_->get(job_key(id));
  if (!rec_entry.ok()) return rec_entry.error().wrap("failed to get job");
  if (!rec_entry->has_value()) return Error(ErrorCode::kNotFound, "job not found: " + id);
  auto rec = JobRecord::parse((*rec_entry)->value);
  if (!rec.ok()) return rec.error();

  std::vector<StatusEvent> events;
  std::vector<JobResponse> responses;
  auto ev_keys = jobs_->keys(status_prefix(id) + ">");
  if (!ev_keys.ok()) return ev_keys.error().wrap("failed to list job events");
  for (const auto& k : *ev_keys) {
    auto e = jobs_->get(k);
    if (!e.ok() || !e->has_value()) continue;
    auto ev = StatusEvent::parse((*e)->value);
    if (ev.ok()) events.push_back(std::move(*ev));
  }
  auto resp_keys = jobs_->keys(responses_prefix(id) + ">");
  if (!resp_keys.ok()) return resp_keys.error().wrap("failed to list job responses");
  for (const auto& k : *resp_keys) {
    auto e = jobs_->get(k);
    if (!e.ok() || !e->has_value()) continue;
    auto r = JobResponse::parse((*e)->value, key_unix_nano(k));
    if (r.ok()) responses.push_back(std::move(*r));
  }
  return compute_status(std::move(*rec), std::move(events), std::move(responses));
}

}  // namespace osapi::job
