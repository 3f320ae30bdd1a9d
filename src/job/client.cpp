#include "job/client.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

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
    : conn_(std::move(conn)),
      jobs_(std::move(jobs)),
      names_(std::move(names)),
      admission_(std::make_unique<Admission>(conn_, names_.stream, names_.jobs_bucket)) {}

void JobClient::abandon(const std::string& id, const std::string& reason) {
  StatusEvent ev;
  ev.job_id = id;
  ev.event = "failed";
  ev.hostname = "_api";
  ev.unix_nano = unix_nano(Clock::now());
  ev.data = json{{"error", "job was not queued: " + reason}};
  auto put = jobs_->put(ev.key(), ev.to_json().dump());
  if (put.ok()) return;
  // No room for the event either: without its record the job does not exist at all.
  auto del = jobs_->del(job_key(id));
  logging::warn("failed to mark unqueued job failed",
                {{"job_id", id},
                 {"error", put.error().message},
                 {"deleted", del.ok()},
                 {"delete_error", del.ok() ? "" : del.error().message}});
}

Result<Submitted> JobClient::submit(const json& operation, const Target& target, OpKind kind) {
  return submit_with_id(uuid_v4(), operation, target, kind);
}

Result<Submitted> JobClient::submit_with_id(const std::string& id, const json& operation,
                                            const Target& target, OpKind kind,
                                            const std::string& link_traceparent,
                                            const std::string& link_tracestate) {
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
  const std::vector<
      std::pair<opentelemetry::nostd::string_view, opentelemetry::common::AttributeValue>>
      attrs = {{"messaging.system", "nats"},
               {"messaging.operation.name", "publish"},
               {"messaging.operation.type", "send"},
               {"messaging.destination.name", out.subject},
               {"messaging.message.id", id},
               {"messaging.message.body.size", static_cast<int64_t>(id.size())},
               {"job.id", id}};
  // A retry links to the original job's context; an invalid or
  // absent traceparent simply gives no link.
  using LinkAttrs = std::vector<
      std::pair<opentelemetry::nostd::string_view, opentelemetry::common::AttributeValue>>;
  std::vector<std::pair<trace::SpanContext, LinkAttrs>> links;
  if (auto original = telemetry::parse_traceparent(link_traceparent, link_tracestate))
    links.emplace_back(*original, LinkAttrs{{"osapi.link.type", "retry"}});
  auto span = tracer->StartSpan("publish " + out.subject, attrs, links, so);
  trace::Scope scope(span);
  auto fail = [&](const Error& e) -> Error {
    telemetry::record_error(*span, "nats", e.message);
    span->End();
    return e;
  };
  // A write that timed out or found the connection gone is an outage of the broker: the
  // caller should retry later (503), it is not a fault of the request or of the server.
  auto outage = [&](Error e) -> Error {
    if (e.code == ErrorCode::kTimeout || !conn_->connected()) e.code = ErrorCode::kUnavailable;
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

  const std::string record_text = rec.to_json().dump();
  auto rev = jobs_->put(job_key(id), record_text);
  if (!rev.ok()) {
    if (full_kind(rev.error()) != FullKind::kNone)
      return fail(admission_->bucket_full(rev.error(), record_text.size() + 160));
    return fail(outage(rev.error().wrap("failed to store job")));
  }
  out.revision = *rev;
  headers.emplace_back(kJobRevisionHeader, std::to_string(*rev));

  auto pub = conn_->js_publish(out.subject, id, headers, id);
  if (!pub.ok()) {
    Error e;
    if (full_kind(pub.error()) != FullKind::kNone) {
      uint64_t needed = out.subject.size() + id.size() + 128;
      for (const auto& [k, v] : headers) needed += k.size() + v.size() + 4;
      e = admission_->stream_full(pub.error(), needed);
    } else {
      admission_->publish_failed();
      e = outage(pub.error().wrap("failed to publish job notification"));
    }
    abandon(id, e.message);
    return fail(Error(e.code, e.message + " (job " + id + " not queued)"));
  }
  admission_->accepted();

  StatusEvent ev;
  ev.job_id = id;
  ev.event = "submitted";
  ev.hostname = "_api";
  ev.unix_nano = unix_nano(now);
  ev.data = json{{"target_hostname", target.raw}, {"operation_type", rec.type()}};
  // After the notification, so storing it does not delay the agent; not awaited. Its timestamp
  // is the submit time, so the timeline (sorted by unix_nano) keeps it first.
  // The job is already published: a failed event write is logged, not reported as a failed
  // submission.
  auto evr = jobs_->put_async(ev.key(), ev.to_json().dump());
  if (!evr.ok())
    logging::warn("failed to write job event",
                  {{"job_id", id}, {"event", "submitted"}, {"error", evr.error().message}});
  span->End();
  return out;
}

Result<std::shared_ptr<ResponseRouter>> JobClient::router() {
  std::lock_guard<std::mutex> lk(router_mu_);
  if (!router_) {
    auto r = ResponseRouter::start(*conn_, names_.jobs_bucket);
    if (!r.ok()) return r.error();
    router_ = *r;
  }
  return router_;
}

Result<Outcome> JobClient::run(const json& operation, const Target& target, OpKind kind,
                               const WaitOptions& wait) {
  const std::string id = uuid_v4();
  auto router = this->router();
  if (!router.ok()) return router.error();
  // Interest first, then publish: no response can arrive unseen.
  auto waiter = (*router)->expect(id);
  auto sub = submit_with_id(id, operation, target, kind);
  if (!sub.ok()) return sub.error();

  const bool broadcast = target.broadcast();
  const auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  std::map<std::string, JobResponse> by_host;
  auto accept = [&](JobResponse resp) {
    logging::info(broadcast ? "received broadcast response" : "received job response",
                  {{"job_id", id}, {"hostname", resp.hostname}, {"status", resp.status}});
    by_host[resp.hostname] = std::move(resp);
  };
  auto all_expected = [&] {
    return !wait.expected_hosts.empty() &&
           std::all_of(wait.expected_hosts.begin(), wait.expected_hosts.end(),
                       [&](const std::string& h) { return by_host.count(h) > 0; });
  };

  // A broadcast waits for every expected agent, up to the timeout; without an expected set
  // (the registry could not be read) it collects until the timeout.
  while (true) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    auto resp = waiter->next(deadline);
    if (!resp) continue;  // loop re-checks the deadlines
    accept(std::move(*resp));
    if (!broadcast || all_expected()) break;
  }
  // Notifications published while the connection was re-establishing are missed by the
  // subscription; the stored responses are not. Look once before reporting a timeout.
  if (by_host.empty()) {
    auto keys = jobs_->keys(responses_prefix(id) + ">");
    if (keys.ok()) {
      for (const auto& k : *keys) {
        auto e = jobs_->get(k);
        if (!e.ok() || !e->has_value()) continue;
        auto r = JobResponse::parse((*e)->value, key_unix_nano(k));
        if (r.ok()) accept(std::move(*r));
      }
    }
  }

  if (!broadcast) {
    if (by_host.empty())
      return Error(ErrorCode::kTimeout,
                   "failed to publish and wait: timeout waiting for job response: context "
                   "deadline exceeded");
    return Outcome{id, {std::move(by_host.begin()->second)}, {}};
  }
  if (by_host.empty())
    return Error(ErrorCode::kTimeout,
                 "failed to collect broadcast responses: timeout waiting for broadcast responses: "
                 "no agents responded");
  Outcome out{id, {}, {}};
  for (auto& [h, r] : by_host)
    if (r.status != "failed") out.responses.push_back(r);
  for (auto& [h, r] : by_host)
    if (r.status == "failed") out.responses.push_back(r);
  for (const auto& h : wait.expected_hosts)
    if (!by_host.count(h)) out.missing.push_back(h);
  return out;
}

Result<JobView> JobClient::get(const std::string& id) {
  // One listing for events and responses ("*.<id>.>" matches status.<id>.… and
  // responses.<id>.…, not the record): one consumer, so one consistent prefix of the stream. Two
  // listings could miss an agent's events yet see the response it wrote after them.
  auto keys = jobs_->keys("*." + id + ".>");
  if (!keys.ok()) return keys.error().wrap("failed to list job events");
  std::vector<std::string> ev_keys, resp_keys;
  const std::string ev_prefix = status_prefix(id), resp_prefix = responses_prefix(id);
  for (auto& k : *keys) {
    if (k.starts_with(ev_prefix))
      ev_keys.push_back(std::move(k));
    else if (k.starts_with(resp_prefix))
      resp_keys.push_back(std::move(k));
  }
  return view_of(id, ev_keys, resp_keys);
}

}  // namespace osapi::job
