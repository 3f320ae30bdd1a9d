#include "agent/agent.h"

#include <signal.h>
#include <unistd.h>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/scope.h>

#include "agent/consumers.h"
#include "agent/dispatch.h"
#include "common/strings.h"
#include "common/time.h"
#include "common/version.h"
#include "job/agent_record.h"
#include "job/model.h"
#include "logging/logger.h"
#include "natsserver/provision.h"
#include "natsserver/server_config.h"
#include "telemetry/propagation.h"
#include "telemetry/tracing.h"

namespace osapi::agent {

namespace trace = opentelemetry::trace;
namespace otel_ctx = opentelemetry::context;
using json = nlohmann::ordered_json;

struct Agent::Bound {
  ConsumerPlan plan;
  std::unique_ptr<messaging::PullSubscription> sub;
};

// In-flight messages get an in-progress ack every interval so JetStream does not redeliver a
// running job (spec/agent.md §4 step 6). One ticker serves every job.
class ProgressTicker {
 public:
  explicit ProgressTicker(std::chrono::milliseconds interval) : interval_(interval) {
    thread_ = std::thread([this] { loop(); });
  }
  ~ProgressTicker() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void add(messaging::Message* m) {
    std::lock_guard<std::mutex> lk(mu_);
    items_[m] = std::chrono::steady_clock::now();
  }
  void remove(messaging::Message* m) {
    std::lock_guard<std::mutex> lk(mu_);
    items_.erase(m);
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!done_) {
      cv_.wait_for(lk, std::chrono::milliseconds(500));
      const auto now = std::chrono::steady_clock::now();
      for (auto& [m, last] : items_) {
        if (now - last >= interval_) {
          (void)m->in_progress();
          last = now;
        }
      }
    }
  }
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::map<messaging::Message*, std::chrono::steady_clock::time_point> items_;
  std::thread thread_;
};

namespace {

std::chrono::milliseconds progress_interval(const config::Consumer& c) {
  auto d = c.ack_wait;
  if (!c.back_off.empty() && c.back_off.front() < d) d = c.back_off.front();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d) / 2;
  return std::max(ms, std::chrono::milliseconds(500));
}

ProgressTicker* g_ticker = nullptr;

}  // namespace

Agent::Agent(config::Config cfg, std::string hostname)
    : cfg_(std::move(cfg)),
      hostname_(std::move(hostname)),
      names_(job::Names::from(cfg_, cfg_.agent.nats.namespace_)) {}

Agent::~Agent() {
  stop(std::chrono::seconds(1));
}

Status Agent::register_self(bool first) {
  job::AgentInfo info;
  info.hostname = hostname_;
  info.labels = cfg_.agent.labels;
  info.registered_at = rfc3339_nano(Clock::now());
  const std::string key = job::registry_key(hostname_);
  if (first) {
    auto existing = registry_->get(key);
    if (existing.ok() && existing->has_value()) {
      auto other = job::AgentInfo::parse((*existing)->value);
      if (other.ok() && other->hostname != hostname_) {
        return Error(ErrorCode::kAlreadyExists, "hostname collision: \"" + hostname_ +
                                                    "\" and live agent \"" + other->hostname +
                                                    "\" share registry key " + key);
      }
    }
  }
  auto r = registry_->put(key, info.to_json().dump());
  if (!r.ok()) return r.error().wrap("failed to register agent");
  return Status::Ok();
}

Status Agent::start() {
  const auto& n = cfg_.agent.nats;
  auto conn = messaging::Connection::connect(natsserver::client_connect_options(n));
  if (!conn.ok()) return conn.error();
  conn_ = *conn;

  if (auto st = natsserver::provision(*conn_, cfg_, n.namespace_, false); !st.ok())
    return st.error().wrap("failed to ensure JetStream infrastructure");
  auto jobs = conn_->key_value(names_.jobs_bucket);
  if (!jobs.ok()) return jobs.error();
  jobs_ = *jobs;
  if (names_.registry_bucket.empty())
    return Error(ErrorCode::kInvalidArgument, "nats.registry.bucket must be set");
  auto reg = conn_->key_value(names_.registry_bucket);
  if (!reg.ok()) return reg.error();
  registry_ = *reg;

  for (const auto& plan : plan_consumers(names_, hostname_, cfg_.agent.labels)) {
    auto spec = natsserver::consumer_spec(cfg_.agent.consumer, plan.durable, plan.filter);
    spec.deliver_policy = plan.deliver_policy;
    if (auto st = conn_->ensure_consumer(names_.stream, spec, false); !st.ok())
      return st.error().wrap("failed to create consumer " + plan.durable);
    auto sub = conn_->bind_pull(names_.stream, plan.durable, plan.filter);
    if (!sub.ok()) return sub.error().wrap("failed to bind consumer " + plan.durable);
    subs_.push_back(std::make_unique<Bound>(Bound{plan, std::move(*sub)}));
  }

  if (auto st = register_self(true); !st.ok()) return st;
  logging::info("registered in agent registry",
                {{"hostname", hostname_},
                 {"key", job::registry_key(hostname_)},
                 {"ttl", format_go_duration(cfg_.nats.registry.ttl)}});

  static std::mutex ticker_mu;
  {
    std::lock_guard<std::mutex> lk(ticker_mu);
    if (!g_ticker) g_ticker = new ProgressTicker(progress_interval(cfg_.agent.consumer));
  }
  free_slots_ = std::max(1, cfg_.agent.max_jobs);
  for (int i = 0; i < free_slots_; ++i) workers_.emplace_back([this] { worker_loop(); });
  for (auto& b : subs_) fetchers_.emplace_back([this, p = b.get()] { fetch_loop(p); });
  heartbeat_ = std::thread([this] { heartbeat_loop(); });
  return Status::Ok();
}

void Agent::fetch_loop(Bound* bound) {
  int errors = 0;
  while (!stopping_) {
    {
      // A message is fetched only when a worker slot is free (max_jobs cap).
      std::unique_lock<std::mutex> lk(mu_);
      slot_cv_.wait_for(lk, std::chrono::milliseconds(200),
                        [&] { return free_slots_ > 0 || stopping_; });
      if (stopping_) return;
      if (free_slots_ == 0) continue;
      --free_slots_;
    }
    auto msgs = bound->sub->fetch(1, std::chrono::milliseconds(500));
    if (!msgs.ok() || msgs->empty()) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        ++free_slots_;
      }
      slot_cv_.notify_one();
      if (!msgs.ok()) {
        if (errors++ % 60 == 0)
          logging::warn("fetch failed",
                        {{"consumer", bound->plan.durable}, {"error", msgs.error().message}});
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      } else {
        errors = 0;
      }
      continue;
    }
    errors = 0;
    auto msg = std::make_shared<messaging::Message>(std::move(msgs->front()));
    {
      std::lock_guard<std::mutex> lk(mu_);
      queue_.push_back(
          [this, msg, durable = bound->plan.durable] { process(std::move(*msg), durable); });
    }
    work_cv_.notify_one();
  }
}

void Agent::worker_loop() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lk(mu_);
      work_cv_.wait(
          lk, [&] { return !queue_.empty() || (stopping_ && running_ == 0 && queue_.empty()); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    task();
    bool idle;
    {
      std::lock_guard<std::mutex> lk(mu_);
      --running_;
      ++free_slots_;
      idle = running_ == 0 && queue_.empty();
    }
    slot_cv_.notify_one();
    if (idle && stopping_) {
      idle_cv_.notify_all();
      work_cv_.notify_all();  // idle workers exit once nothing runs
    }
  }
}

void Agent::heartbeat_loop() {
  std::unique_lock<std::mutex> lk(hb_mu_);
  while (!stopping_) {
    hb_cv_.wait_for(lk, std::chrono::seconds(10), [&] { return stopping_.load(); });
    if (stopping_) return;
    auto st = register_self(false);
    if (st.ok())
      logging::debug("registry heartbeat", {{"hostname", hostname_}});
    else
      logging::warn("registry heartbeat failed", {{"error", st.error().message}});
  }
}

void Agent::process(messaging::Message msg, const std::string& durable) {
  const std::string job_id = trim(msg.data());
  const std::string subject = msg.subject();
  const auto parsed = job::parse_subject(subject, names_.ns);
  const std::string routing = parsed.ok() ? parsed->target.routing_token() : "";
  const bool modify = parsed.ok() && parsed->kind == job::OpKind::kModify;
  const uint64_t delivery = msg.delivery_count();

  // Trace context: the NATS headers first, else the job record (spec/telemetry.md §4.5).
  const auto base = otel_ctx::RuntimeContext::GetCurrent();
  const auto sc = telemetry::extract_span_context(msg.headers());
  auto parent = base;
  const bool from_headers = sc.has_value() || trace::GetSpan(base)->GetContext().IsValid();
  std::optional<job::JobRecord> record;
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
  trace::Scope scope(span);

  if (!rec_loaded) load_record();
  logging::info("received job notification",
                {{"subject", subject}, {"job_key", job::job_key(job_id)}});
  if (!rec_entry.ok() || !rec_entry->has_value()) {
    const std::string why = rec_entry.ok() ? "job record not found" : rec_entry.error().message;
    logging::warn("job record missing; terminating message", {{"job_id", job_id}, {"error", why}});
    telemetry::record_error(*span, "job.missing", why);
    if (rec_entry.ok())
      (void)msg.term();
    else
      (void)msg.nak();  // KV unreachable: try again later
    span->End();
    return;
  }

  const auto started_at = std::chrono::steady_clock::now();
  auto put_event = [&](const std::string& event, json data) {
    job::StatusEvent e;
    e.job_id = job_id;
    e.event = event;
    e.hostname = hostname_;
    e.unix_nano = unix_nano(Clock::now());
    e.data = std::move(data);
    // Events are not awaited: the response write that follows them on the same stream is, and
    // the stream stores in publish order. Failures are logged by the async error handler.
    auto r = jobs_->put_async(e.key(), e.to_json().dump());
    if (!r.ok())
      logging::warn("failed to write job event",
                    {{"job_id", job_id}, {"event", event}, {"error", r.error().message}});
  };
  auto elapsed_ms = [&] {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started_at)
                                      .count());
  };
  auto write_response = [&](const std::string& status, const json& data, const std::string& err) {
    job::JobResponse r;
    r.job_id = job_id;
    r.status = status;
    r.data = data;
    r.error = err;
    r.hostname = hostname_;
    r.unix_nano = unix_nano(Clock::now());
    if (modify && status == "completed") {
      auto c = data.is_object() ? data.find("changed") : data.end();
      r.changed = (data.is_object() && c != data.end() && c->is_boolean()) ? c->get<bool>() : false;
    }
    return jobs_->put(r.key(), r.to_json().dump());
  };

  auto record_parsed = job::JobRecord::parse((*rec_entry)->value);
  std::string type = record_parsed.ok() ? record_parsed->type() : "";
  std::string category, operation;
  const bool well_formed = !type.empty() && split_type(type, category, operation);
  span->SetAttribute("job.type", type);
  span->SetAttribute("job.category", category);
  span->SetAttribute("job.operation", operation);

  put_event("acknowledged", json{{"subject", subject},
                                 {"category", category},
                                 {"operation", operation},
                                 {"delivery", delivery}});
  put_event("started",
            json{{"agent_version", osapi::version()}, {"pid", static_cast<long long>(::getpid())}});
  logging::info("processing job",
                {{"job_id", job_id},
                 {"type", job::kind_name(modify ? job::OpKind::kModify : job::OpKind::kQuery)},
                 {"category", category},
                 {"operation", operation}});

  DispatchResult result;
  if (!well_formed) {
    result.error = record_parsed.ok() ? "invalid operation type format: " + type
                                      : record_parsed.error().message;
    result.permanent = true;
  } else {
    const json data =
        record_parsed->operation.is_object() && record_parsed->operation.contains("data")
            ? record_parsed->operation["data"]
            : json::object();
    g_ticker->add(&msg);
    result = dispatch(type, data, DispatchContext{cfg_.agent.labels});
    g_ticker->remove(&msg);
  }

  if (result.ok) {
    const std::string body = result.data.dump();
    put_event("completed", json{{"duration_ms", elapsed_ms()}, {"result_size", body.size()}});
    auto w = write_response("completed", result.data, "");
    if (!w.ok()) {
      telemetry::record_error(*span, "kv", w.error().message);
      logging::error("failed to write job response",
                     {{"job_id", job_id}, {"error", w.error().message}});
      (void)msg.nak();
      span->End();
      return;
    }
    (void)msg.ack();
    logging::info("job processing completed", {{"job_id", job_id}, {"status", "completed"}});
    span->End();
    return;
  }

  logging::error("job processing failed", {{"job_id", job_id},
                                           {"category", category},
                                           {"operation", operation},
                                           {"error", result.error}});
  telemetry::record_error(*span, "job.failed", result.error);
  put_event("failed", json{{"error", result.error}, {"duration_ms", elapsed_ms()}});
  auto w = write_response("failed", nullptr, result.error);
  if (!w.ok()) {
    (void)msg.nak();
  } else if (result.permanent) {
    (void)msg.term();
  } else {
    const auto& c = cfg_.agent.consumer;
    if (delivery >= static_cast<uint64_t>(c.max_deliver) || c.back_off.empty() || delivery == 0) {
      (void)msg.nak();  // last delivery: at once, so the advisory reaches the DLQ now
    } else {
      const size_t i = std::min<size_t>(delivery - 1, c.back_off.size() - 1);
      (void)msg.nak_with_delay(c.back_off[i]);
    }
  }
  span->End();
}

bool Agent::stop(std::chrono::milliseconds deadline) {
  if (stopping_.exchange(true)) return true;
  hb_cv_.notify_all();
  slot_cv_.notify_all();
  work_cv_.notify_all();
  for (auto& t : fetchers_)
    if (t.joinable()) t.join();
  fetchers_.clear();
  if (heartbeat_.joinable()) heartbeat_.join();

  // Wait for running jobs; unfinished ones get no ack and are redelivered elsewhere.
  bool finished;
  {
    std::unique_lock<std::mutex> lk(mu_);
    finished = idle_cv_.wait_for(lk, deadline, [&] { return running_ == 0 && queue_.empty(); });
  }
  work_cv_.notify_all();
  if (finished) {
    for (auto& t : workers_)
      if (t.joinable()) t.join();
  } else {
    for (auto& t : workers_)
      if (t.joinable()) t.detach();
  }
  workers_.clear();
  if (registry_) {
    auto st = registry_->del(job::registry_key(hostname_));
    if (st.ok()) logging::info("agent deregistered", {{"hostname", hostname_}});
  }
  subs_.clear();
  if (conn_ && finished) conn_->close();
  return finished;
}

std::string resolve_hostname(const config::Config& cfg) {
  if (!cfg.agent.hostname.empty()) return cfg.agent.hostname;
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) == 0 && buf[0]) return buf;
  return "unknown";
}

int run_agent(const config::Config& cfg) {
  logging::info("starting agent");
  const std::string hostname = resolve_hostname(cfg);
  std::vector<std::string> labels;
  for (const auto& [k, v] : cfg.agent.labels) labels.push_back(k + ":" + v);
  logging::info("agent configuration", {{"hostname", hostname},
                                        {"queue_group", cfg.agent.queue_group},
                                        {"max_jobs", cfg.agent.max_jobs},
                                        {"labels", join(labels, ",")}});
  Agent agent(cfg, hostname);
  if (auto st = agent.start(); !st.ok()) {
    logging::error("failed to start agent", {{"error", st.error().message}});
    return 1;
  }
  logging::info("agent started successfully", {{"hostname", hostname}});

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  logging::info("agent shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  if (agent.stop(std::chrono::seconds(10)))
    logging::info("agent stopped gracefully");
  else
    logging::warn("agent shutdown timed out");
  return 0;
}

}  // namespace osapi::agent
