#include "agent/agent.h"

#include <signal.h>

#include "agent/consumers.h"
#include "agent/job_processor.h"
#include "agent/progress_ticker.h"
#include "common/strings.h"
#include "common/time.h"
#include "logging/logger.h"
#include "job/provision.h"
#include "job/connect_options.h"

namespace osapi::agent {

struct Agent::Bound {
  ConsumerPlan plan;
  std::unique_ptr<messaging::PullSubscription> sub;
};

namespace {

// How long killed commands' jobs get to write their failed responses.
constexpr std::chrono::milliseconds kKilledJobsGrace{3000};

config::Config pin_hostname(config::Config cfg, std::string hostname) {
  if (!hostname.empty()) cfg.agent.hostname = std::move(hostname);
  return cfg;
}

}  // namespace

Agent::Agent(config::Config cfg, AgentOptions options)
    : cfg_(std::move(cfg)),
      options_(std::move(options)),
      names_(job::Names::from(cfg_, cfg_.agent.nats.namespace_)),
      hostname_(resolve_hostname(cfg_)) {
  if (!options_.hostname_source)
    options_.hostname_source = [this] { return resolve_hostname(cfg_); };
  hostname_.set(options_.hostname_source());
}

Agent::Agent(config::Config cfg, std::string hostname)
    : Agent(pin_hostname(std::move(cfg), std::move(hostname)), AgentOptions{}) {}

Agent::~Agent() {
  stop(std::chrono::seconds(1));
}

Status Agent::start() {
  auto id = read_agent_machine_id(cfg_);
  if (!id.ok()) return id.error();
  machine_id_ = *id;
  if (auto st = check_consumer_name(cfg_.agent.consumer.name); !st.ok()) return st;
  if (names_.registry_bucket.empty())
    return Error(ErrorCode::kInvalidArgument, "nats.registry.bucket must be set");

  const auto& n = cfg_.agent.nats;
  auto conn = messaging::Connection::connect(job::client_connect_options(n));
  if (!conn.ok()) return conn.error();
  conn_ = *conn;

  // Every consumer of this agent is its own (named after the machine id): the shared `_any`
  // durables of provisioning are not needed here.
  job::ProvisionParts parts;
  parts.consumers = false;
  parts.objects = false;  // the controller owns the object store
  if (auto st = job::provision(*conn_, cfg_, n.namespace_, false, parts); !st.ok())
    return st.error().wrap("failed to ensure JetStream infrastructure");
  auto jobs = conn_->key_value(names_.jobs_bucket);
  if (!jobs.ok()) return jobs.error();
  jobs_ = *jobs;
  auto reg = conn_->key_value(names_.registry_bucket);
  if (!reg.ok()) return reg.error();
  registry_ = *reg;
  auto facts_kv = ensure_facts_bucket(*conn_, cfg_, n.namespace_);
  if (!facts_kv.ok()) return facts_kv.error();

  Registration::Options ro;
  ro.interval = options_.heartbeat_interval;
  ro.hostname_source = options_.hostname_source;
  facts_ = std::make_unique<FactsCollector>(*facts_kv, machine_id_, cfg_.agent.facts_interval,
                                            options_.collect_facts);
  ro.cpu_count = [f = facts_.get()] { return f->cpu_count(); };
  registration_ = std::make_unique<Registration>(cfg_, registry_, machine_id_, hostname_, ro);
  // Before any consumer is touched: a second agent with our machine id would share them.
  if (auto st = registration_->check_collision(); !st.ok()) return st;

  (void)facts_->refresh();  // a failed write is logged; references still resolve from memory

  ticker_ = std::make_unique<ProgressTicker>(ProgressTicker::interval_for(cfg_.agent.consumer));
  processor_ = std::make_unique<JobProcessor>(cfg_, names_, jobs_, machine_id_, hostname_, *facts_,
                                              *ticker_, &commands_);
  if (auto st = bind_consumers(); !st.ok()) return st;

  if (auto st = registration_->write(); !st.ok()) return st;
  registered_ = true;
  logging::info("registered in agent registry",
                {{"machine_id", machine_id_},
                 {"hostname", hostname_.get()},
                 {"key", registration_->key()},
                 {"ttl", format_go_duration(cfg_.nats.registry.ttl)}});

  free_slots_ = std::max(1, cfg_.agent.max_jobs);
  for (int i = 0; i < free_slots_; ++i) workers_.emplace_back([this] { worker_loop(); });
  for (auto& b : subs_) fetchers_.emplace_back([this, p = b.get()] { fetch_loop(p); });
  registration_->start();
  facts_->start();
  return Status::Ok();
}

Status Agent::bind_consumers() {
  const auto plans =
      plan_consumers(names_, cfg_.agent.consumer.name, machine_id_, cfg_.agent.labels);
  for (const auto& plan : plans) {
    auto spec = job::consumer_spec(cfg_.agent.consumer, plan.durable, plan.filter);
    spec.deliver_policy = plan.deliver_policy;
    if (auto st = conn_->ensure_consumer(names_.stream, spec, false); !st.ok())
      return st.error().wrap("failed to create consumer " + plan.durable);
    auto sub = conn_->bind_pull(names_.stream, plan.durable, plan.filter);
    if (!sub.ok()) return sub.error().wrap("failed to bind consumer " + plan.durable);
    subs_.push_back(std::make_unique<Bound>(Bound{plan, std::move(*sub)}));
  }
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
      queue_.push_back([this, msg, durable = bound->plan.durable] {
        processor_->process(std::move(*msg), durable);
      });
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

bool Agent::stop(std::chrono::milliseconds deadline) {
  if (stopping_.exchange(true)) return true;
  slot_cv_.notify_all();
  work_cv_.notify_all();
  for (auto& t : fetchers_)
    if (t.joinable()) t.join();
  fetchers_.clear();
  if (registration_) registration_->stop();
  if (facts_) facts_->stop();

  // Wait for running jobs. Commands still running then are killed (with their process
  // groups) and answered failed; a job that still does not finish is not acked, and its
  // redelivery is answered failed without running it again.
  auto wait_idle = [&](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lk(mu_);
    return idle_cv_.wait_for(lk, d, [&] { return running_ == 0 && queue_.empty(); });
  };
  bool finished = wait_idle(deadline);
  if (!finished) {
    if (const size_t killed = commands_.kill_all(); killed > 0) {
      logging::warn("agent stopping: killed running commands", {{"count", killed}});
      finished = wait_idle(kKilledJobsGrace);
    }
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
  // Only our own entry: a start refused for a collision must not delete the other agent's.
  if (registered_) registration_->deregister();
  subs_.clear();
  if (conn_ && finished) conn_->close();  // still-running jobs keep the connection
  return finished;
}

const JobStats* Agent::job_stats() const {
  return processor_ ? &processor_->stats() : nullptr;
}

double Agent::heartbeat_age_seconds() const {
  if (!registration_) return 0;
  const auto last = registration_->last_write();
  if (last.time_since_epoch().count() == 0) return 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count();
}

}  // namespace osapi::agent
