#include "agent/job_processor.h"

#include <unistd.h>

#include <thread>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/scope.h>

#include "agent/dispatch.h"
#include "agent/fact_refs.h"
#include "agent/prior_run.h"
#include "common/strings.h"
#include "common/time.h"
#include "common/version.h"
#include "job/model.h"
#include "logging/logger.h"
#include "provider/unsupported.h"
#include "telemetry/propagation.h"
#include "telemetry/tracing.h"

namespace osapi::agent {

namespace trace = opentelemetry::trace;
namespace otel_ctx = opentelemetry::context;
using json = nlohmann::ordered_json;

namespace {

// Everything one delivery writes, stamped with the hostname the agent had when it started.
class JobRun {
 public:
  JobRun(messaging::KeyValue& jobs, std::string job_id, std::string hostname, bool modify)
      : jobs_(jobs),
        job_id_(std::move(job_id)),
        hostname_(std::move(hostname)),
        modify_(modify),
        started_(std::chrono::steady_clock::now()) {}

  const std::string& hostname() const { return hostname_; }

  long long elapsed_ms() const {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started_)
                                      .count());
  }

  // Events are not awaited: the response write that follows them on the same stream is, and
  // the stream stores in publish order. Failures are logged by the async error handler.
  void event(const std::string& name, json data) {
    const auto e = make_event(name, std::move(data));
    auto r = jobs_.put_async(e.key(), e.to_json().dump());
    if (!r.ok())
      logging::warn("failed to write job event",
                    {{"job_id", job_id_}, {"event", name}, {"error", r.error().message}});
  }

  // Awaited: the caller must know the event is stored before it goes on.
  Result<uint64_t> put_event(const std::string& name, json data) {
    const auto e = make_event(name, std::move(data));
    return jobs_.put(e.key(), e.to_json().dump());
  }

  // `changed` is copied from the result's top-level boolean only for modify-kind jobs.
  Result<uint64_t> respond(const std::string& status, const json& data, const std::string& err) {
    job::JobResponse r;
    r.job_id = job_id_;
    r.status = status;
    r.data = data;
    r.error = err;
    r.hostname = hostname_;
    r.unix_nano = unix_nano(Clock::now());
    if (modify_ && data.is_object()) {
      auto c = data.find("changed");
      if (c != data.end() && c->is_boolean()) r.changed = c->get<bool>();
    }
    return jobs_.put(r.key(), r.to_json().dump());
  }

  // The terminal event, then the response. The event is not awaited (the awaited response
  // write after it on the same stream is); the response is tried a few times, since after the
  // provider ran a redelivery could only answer "agent restarted". When the broker may have
  // taken the event with it (see below), the event is written again, awaited, under the same
  // key, so the job does not stay "processing".
  Result<uint64_t> finish(const JobAnswer& a) {
    const auto e = make_event(a.event, a.event_data);
    const std::string key = e.key(), value = e.to_json().dump();
    const uint64_t reconnects = jobs_.reconnects();
    bool event_sent = true;
    if (auto r = jobs_.put_async(key, value); !r.ok()) {
      event_sent = false;
      logging::warn("failed to write job event",
                    {{"job_id", job_id_}, {"event", a.event}, {"error", r.error().message}});
    }
    auto w = respond(a.status, a.data, a.error);
    bool retried = false;
    for (auto pause : {std::chrono::milliseconds(200), std::chrono::milliseconds(1000),
                       std::chrono::milliseconds(2000)}) {
      if (w.ok()) break;
      retried = true;
      std::this_thread::sleep_for(pause);
      w = respond(a.status, a.data, a.error);
    }
    // The event may be lost: it was not sent, the response needed a retry, or the connection
    // reconnected meanwhile (the event left on the old one, the response on the new one).
    if (w.ok() && (!event_sent || retried || jobs_.reconnects() != reconnects)) {
      if (auto again = jobs_.put(key, value); !again.ok())
        logging::warn("failed to write job event",
                      {{"job_id", job_id_}, {"event", a.event}, {"error", again.error().message}});
    }
    return w;
  }

 private:
  messaging::KeyValue& jobs_;
  const std::string job_id_;
  const std::string hostname_;
  const bool modify_;
  const std::chrono::steady_clock::time_point started_;

  job::StatusEvent make_event(const std::string& name, json data) const {
    job::StatusEvent e;
    e.job_id = job_id_;
    e.event = name;
    e.hostname = hostname_;
    e.unix_nano = unix_nano(Clock::now());
    e.data = std::move(data);
    return e;
  }
};

// The revision of the controller's put of the job record, from the notification (0: none).
uint64_t notified_revision(const Headers& headers) {
  const std::string* v = find_header(headers, job::kJobRevisionHeader);
  long long rev = 0;
  if (v == nullptr || !parse_int64(*v, rev) || rev <= 0) return 0;
  return static_cast<uint64_t>(rev);
}

json operation_data(const job::JobRecord& record) {
  if (record.operation.is_object()) {
    auto it = record.operation.find("data");
    if (it != record.operation.end() && !it->is_null()) return *it;
  }
  return json::object();
}

}  // namespace

JobProcessor::JobProcessor(const config::Config& cfg, job::Names names,
                           std::shared_ptr<messaging::KeyValue> jobs, std::string machine_id,
                           const HostnameCell& hostname, const FactsCollector& facts,
                           ProgressTicker& ticker, provider::ProcessGroups* commands)
    : cfg_(cfg),
      names_(std::move(names)),
      jobs_(std::move(jobs)),
      machine_id_(std::move(machine_id)),
      hostname_(hostname),
      facts_(facts),
      ticker_(ticker),
      commands_(commands) {}

void JobProcessor::process(messaging::Message msg, const std::string& durable) {
  const std::string job_id = trim(msg.data());
  const std::string subject = msg.subject();
  const auto parsed = job::parse_subject(subject, names_.ns);
  const std::string routing = parsed.ok() ? parsed->target.routing_token() : "";
  const bool modify = parsed.ok() && parsed->kind == job::OpKind::kModify;
  const bool any_host = !parsed.ok() || parsed->target.kind == job::TargetKind::kAny;
  const uint64_t delivery = msg.delivery_count();

  // Trace context: the NATS headers first, else the job record's traceparent.
  const auto base = otel_ctx::RuntimeContext::GetCurrent();
  const auto sc = telemetry::extract_span_context(msg.headers());
  auto parent = base;
  const bool from_headers = sc.has_value() || trace::GetSpan(base)->GetContext().IsValid();
  Result<std::optional<messaging::KvEntry>> rec_entry = std::optional<messaging::KvEntry>();
  bool rec_loaded = false;
  auto load_record = [&] {
    rec_loaded = true;
    rec_entry = jobs_->get(job::job_key(job_id));
  };
  if (!from_headers) {
    load_record();
    if (rec_entry.ok() && rec_entry->has_value()) {
      auto r = job::JobRecord::parse((*rec_entry)->value);
      if (r.ok() && !r->traceparent.empty())
        parent = telemetry::context_from_strings(r->traceparent, r->tracestate);
    }
  }

  trace::StartSpanOptions so;
  so.kind = trace::SpanKind::kConsumer;
  if (sc)
    so.parent = *sc;
  else
    so.parent = parent;
  auto span = telemetry::tracer()->StartSpan(
      "job.process",
      {{"messaging.system", "nats"},
       {"messaging.operation.name", "process"},
       {"messaging.operation.type", "process"},
       {"messaging.destination.name", subject},
       {"messaging.consumer.group.name", durable},
       {"messaging.message.id", job_id},
       {"messaging.message.body.size", static_cast<int64_t>(msg.data().size())},
       {"job.id", job_id},
       {"job.delivery", static_cast<int64_t>(delivery)},
       {"job.target", routing}},
      so);
  trace::Scope scope(span);  // log lines below carry its trace and span ids

  if (!rec_loaded) load_record();
  logging::info("received job notification",
                {{"subject", subject}, {"job_key", job::job_key(job_id)}});
  if (rec_entry.ok() && !rec_entry->has_value())
    rec_entry = await_record(job_id, notified_revision(msg.headers()));
  if (!rec_entry.ok()) {
    logging::warn("cannot read the job record; will retry",
                  {{"job_id", job_id}, {"error", rec_entry.error().message}});
    telemetry::record_error(*span, "kv", rec_entry.error().message);
    (void)msg.nak();  // KV unreachable: try again later
    span->End();
    return;
  }
  if (!rec_entry->has_value()) {
    // Still missing after the bounded wait. Not the last delivery: redelivered later (with
    // the consumer's backoff), when the bucket may have caught up. The last delivery answers
    // "failed", so the job does not stay "submitted" for ever.
    const std::string why = "job record not found";
    telemetry::record_error(*span, "job.missing", why);
    const auto max_deliver = static_cast<uint64_t>(cfg_.agent.consumer.max_deliver);
    if (delivery != 0 && delivery < max_deliver) {
      logging::warn("job record missing; will retry",
                    {{"job_id", job_id}, {"delivery", delivery}, {"error", why}});
      retry_later(msg, delivery);
      span->End();
      return;
    }
    logging::error("job record missing; answering failed",
                   {{"job_id", job_id}, {"delivery", delivery}, {"error", why}});
    JobRun run(*jobs_, job_id, hostname_.get(), modify);
    auto w =
        run.finish({"failed", json{{"error", why}, {"duration_ms", 0}}, "failed", nullptr, why});
    if (w.ok())
      (void)msg.term();
    else
      (void)msg.nak();
    span->End();
    return;
  }

  // Its in-progress acks were lost while this agent still runs it: the running delivery
  // answers and acks (an ack of either delivery settles the message).
  InFlight in_flight(*this, job_id);
  if (!in_flight.claimed()) {
    logging::warn("job already running on this agent; redelivery ignored",
                  {{"job_id", job_id}, {"delivery", delivery}});
    span->End();
    return;
  }

  // Before anything is written: a KV that cannot be read now is retried by redelivery.
  auto prior = find_prior_run(*jobs_, job_id, hostname_.get(), machine_id_, any_host);
  if (!prior.ok()) {
    logging::warn("cannot read earlier runs of the job; will retry",
                  {{"job_id", job_id}, {"error", prior.error().message}});
    telemetry::record_error(*span, "kv", prior.error().message);
    (void)msg.nak();
    span->End();
    return;
  }
  if (prior->state == PriorRun::State::kFinished) {
    logging::info("job already answered; acking its redelivery",
                  {{"job_id", job_id}, {"started_on", prior->hostname}});
    (void)msg.ack();
    span->End();
    return;
  }

  JobRun run(*jobs_, job_id, hostname_.get(), modify);
  stats_.started();
  const auto began = std::chrono::steady_clock::now();
  // Counted when the response is stored; otherwise the job will be delivered again.
  auto count = [&](bool stored, bool failed) {
    if (!stored) {
      stats_.abandoned();
      return;
    }
    stats_.finished(
        failed, std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  };
  auto record = job::JobRecord::parse((*rec_entry)->value);
  const std::string type = record.ok() ? record->type() : "";
  std::string category, operation;
  const bool well_formed = !type.empty() && split_type(type, category, operation);
  span->SetAttribute("job.type", type);
  span->SetAttribute("job.category", category);
  span->SetAttribute("job.operation", operation);

  run.event("acknowledged", json{{"subject", subject},
                                 {"category", category},
                                 {"operation", operation},
                                 {"delivery", delivery}});

  // The answer must be stored before the ack. One that cannot be stored is kept in memory and
  // the message left for redelivery, which writes it (see UnsentAnswers). A failed job is
  // final: answered, then acked (term when no retry could help).
  auto deliver = [&](const JobAnswer& answer, bool permanent) {
    const bool failed = answer.status == "failed";
    auto written = run.finish(answer);
    count(written.ok(), failed);
    if (!written.ok()) {
      telemetry::record_error(*span, "kv", written.error().message);
      logging::error("failed to write job response; kept for the redelivery",
                     {{"job_id", job_id}, {"error", written.error().message}});
      unsent_.keep(job_id, answer);
      (void)msg.nak();
    } else if (failed && permanent) {
      (void)msg.term();
    } else {
      (void)msg.ack();
      logging::info("job processing completed", {{"job_id", job_id}, {"status", answer.status}});
    }
    span->End();
  };
  auto answer_failed = [&](const std::string& error, bool permanent) {
    logging::error(
        "job processing failed",
        {{"job_id", job_id}, {"category", category}, {"operation", operation}, {"error", error}});
    telemetry::record_error(*span, "job.failed", error);
    deliver({"failed", json{{"error", error}, {"duration_ms", run.elapsed_ms()}}, "failed", nullptr,
             error},
            permanent);
  };

  if (prior->state == PriorRun::State::kInterrupted) {
    // Started by this very process, which ran it but could not store the answer: store it now.
    if (auto kept = prior->here ? unsent_.take(job_id) : std::nullopt) {
      logging::info("writing the answer an earlier delivery could not store",
                    {{"job_id", job_id}, {"status", kept->status}});
      deliver(*kept, false);
      return;
    }
    answer_failed(interrupted_error(*prior), false);
    return;
  }

  // Everything that may fail before the provider runs: the job has not started yet.
  json data;
  if (!well_formed) {
    answer_failed(record.ok() ? "invalid operation type format: " + type : record.error().message,
                  true);
    return;
  }
  data = operation_data(*record);
  if (contains_fact_refs(data)) {
    Status resolved = resolve_fact_refs_in_place(data, facts_.values(run.hostname()));
    if (!resolved.ok()) {
      const std::string error = "failed to resolve fact references: " + resolved.error().message;
      // Facts not gathered yet may be there on the next delivery (it never started, so it
      // may run then); a bad key never will.
      if (resolved.error().code != ErrorCode::kUnavailable) {
        answer_failed(error, true);
        return;
      }
      run.event("failed", json{{"error", error}, {"duration_ms", run.elapsed_ms()}});
      count(run.respond("failed", nullptr, error).ok(), true);
      retry_later(msg, delivery);
      span->End();
      return;
    }
  }

  // Stored before the provider runs: from here on no delivery may start the job again. The
  // run marker is what a redelivery reads; it is published first and not awaited, since the
  // awaited `started` event after it on the same stream is only stored once it is.
  const Status marked =
      jobs_->put_async(run_marker_key(job_id, run.hostname(), any_host),
                       job::run_marker_value(run.hostname(), machine_id_, unix_nano(Clock::now())));
  const Result<uint64_t> started =
      marked.ok() ? run.put_event("started", json{{"agent_version", osapi::version()},
                                                  {"pid", static_cast<long long>(::getpid())},
                                                  {"machine_id", machine_id_}})
                  : Result<uint64_t>(marked.error());
  if (!started.ok()) {
    logging::warn("failed to record the job start; will retry",
                  {{"job_id", job_id}, {"error", started.error().message}});
    telemetry::record_error(*span, "kv", started.error().message);
    count(false, false);
    (void)msg.nak();
    span->End();
    return;
  }
  logging::info("processing job",
                {{"job_id", job_id},
                 {"type", job::kind_name(modify ? job::OpKind::kModify : job::OpKind::kQuery)},
                 {"category", category},
                 {"operation", operation}});

  DispatchResult result;
  {
    TickerScope keep_alive(ticker_, &msg);
    result = dispatch(type, data, DispatchContext{cfg_.agent.labels, modify, commands_});
  }

  if (result.ok) {
    const std::string body = result.data.dump();
    deliver({"completed", json{{"duration_ms", run.elapsed_ms()}, {"result_size", body.size()}},
             "completed", result.data, ""},
            false);
    return;
  }

  if (result.skipped) {
    const std::string message(provider::kUnsupportedMessage);
    logging::info("job skipped: operation not supported on this host",
                  {{"job_id", job_id}, {"operation", type}, {"reason", result.error}});
    span->SetAttribute("job.status", "skipped");
    deliver({"skipped", json{{"error", message}, {"duration_ms", run.elapsed_ms()}}, "skipped",
             nullptr, message},
            false);
    return;
  }

  answer_failed(result.error, result.permanent);
}

Result<std::optional<messaging::KvEntry>> JobProcessor::await_record(const std::string& job_id,
                                                                     uint64_t revision) {
  const std::string key = job::job_key(job_id);
  Result<std::optional<messaging::KvEntry>> found = std::optional<messaging::KvEntry>();
  auto pause = std::chrono::milliseconds(5);
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (revision > 0) {
      found = jobs_->get_revision(key, revision);
      if (found.ok() && found->has_value()) break;
    }
    if (attempt == 7) break;
    std::this_thread::sleep_for(pause);
    pause *= 2;  // 5, 10, 20, … 320 ms: about 0.6 s in all
    found = jobs_->get(key);
    if (found.ok() && found->has_value()) break;
  }
  if (found.ok() && found->has_value())
    logging::info("job record found on a later read", {{"job_id", job_id}});
  return found;
}

void JobProcessor::retry_later(messaging::Message& msg, uint64_t delivery) {
  const auto& c = cfg_.agent.consumer;
  if (delivery >= static_cast<uint64_t>(c.max_deliver) || c.back_off.empty() || delivery == 0) {
    (void)msg.nak();  // last delivery: at once, so the advisory reaches the DLQ now
  } else {
    const size_t i = std::min<size_t>(delivery - 1, c.back_off.size() - 1);
    (void)msg.nak_with_delay(c.back_off[i]);
  }
}

JobProcessor::InFlight::InFlight(JobProcessor& p, const std::string& job_id)
    : p_(p), job_id_(job_id) {
  std::lock_guard<std::mutex> lk(p_.in_flight_mu_);
  claimed_ = p_.in_flight_.insert(job_id_).second;
}

JobProcessor::InFlight::~InFlight() {
  if (!claimed_) return;
  std::lock_guard<std::mutex> lk(p_.in_flight_mu_);
  p_.in_flight_.erase(job_id_);
}

}  // namespace osapi::agent
