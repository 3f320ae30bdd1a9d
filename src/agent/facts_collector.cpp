#include "agent/facts_collector.h"

#include "common/strings.h"
#include "logging/logger.h"

namespace osapi::agent {

std::string facts_key(const std::string& machine_id) {
  return "facts." + sanitize_subject_token(machine_id);
}

Result<std::shared_ptr<messaging::KeyValue>> ensure_facts_bucket(messaging::Connection& conn,
                                                                 const config::Config& cfg,
                                                                 const std::string& ns) {
  const auto& f = cfg.nats.facts;
  if (f.bucket.empty()) return std::shared_ptr<messaging::KeyValue>();
  messaging::KvSpec spec;
  spec.bucket = config::ns_name(ns, f.bucket);
  spec.history = 1;
  spec.ttl = f.ttl;
  spec.max_bytes = f.max_bytes > 0 ? f.max_bytes : -1;
  spec.storage = f.storage == "memory" ? "memory" : "file";
  spec.replicas = f.replicas > 0 ? f.replicas : 1;
  auto kv = conn.ensure_key_value(spec, false);
  if (!kv.ok()) return kv.error().wrap("facts KV bucket " + spec.bucket);
  return *kv;
}

FactsCollector::FactsCollector(std::shared_ptr<messaging::KeyValue> kv, std::string machine_id,
                               std::chrono::nanoseconds interval, CollectFn collect)
    : kv_(std::move(kv)),
      key_(facts_key(machine_id)),
      interval_(interval),
      collect_(collect ? std::move(collect) : [] { return provider::collect_facts(); }) {}

FactsCollector::~FactsCollector() {
  stop();
}

Status FactsCollector::refresh() {
  provider::Facts facts = collect_();
  const std::string body = provider::to_json(facts).dump();
  {
    std::lock_guard<std::mutex> lk(mu_);
    facts_ = std::move(facts);
  }
  if (!kv_) return Status::Ok();
  auto r = kv_->put(key_, body);
  if (!r.ok()) {
    logging::warn("failed to write facts", {{"key", key_}, {"error", r.error().message}});
    return r.error().wrap("failed to write facts");
  }
  logging::debug("facts written", {{"key", key_}, {"bytes", body.size()}});
  return Status::Ok();
}

void FactsCollector::start() {
  if (interval_.count() <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void FactsCollector::stop() {
  {
    std::lock_guard<std::mutex> lk(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FactsCollector::loop() {
  std::unique_lock<std::mutex> lk(loop_mu_);
  while (!stopping_) {
    if (loop_cv_.wait_for(lk, interval_, [&] { return stopping_; })) return;
    lk.unlock();
    (void)refresh();  // failures are logged; the next round tries again
    lk.lock();
  }
}

std::optional<provider::Facts> FactsCollector::facts() const {
  std::lock_guard<std::mutex> lk(mu_);
  return facts_;
}

int FactsCollector::cpu_count() const {
  std::lock_guard<std::mutex> lk(mu_);
  return facts_ ? facts_->cpu_count : 0;
}

FactValues FactsCollector::values(const std::string& hostname) const {
  std::lock_guard<std::mutex> lk(mu_);
  if (!facts_) return FactValues{};
  return fact_values_from(*facts_, hostname);
}

}  // namespace osapi::agent
