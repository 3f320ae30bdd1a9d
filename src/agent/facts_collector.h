// Facts of this host: gathered at start and every agent.facts.interval, cached for @fact.
// references and the HighLoad condition, and written as provider::to_json(Facts) to
// `facts.<machine-id*>` in the facts KV, where the controller merges them into agent listings.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/fact_refs.h"
#include "common/result.h"
#include "config/config.h"
#include "messaging/nats.h"
#include "provider/facts.h"

namespace osapi::agent {

// facts.<machine id with every character outside [A-Za-z0-9_] replaced by '_'>
std::string facts_key(const std::string& machine_id);

// Opens `<ns>-<nats.facts.bucket>`, creating it when missing with nats.facts.{ttl,storage,
// replicas} and history 1; an existing bucket is left as it is. nullptr when the bucket name
// is empty (no facts KV).
Result<std::shared_ptr<messaging::KeyValue>> ensure_facts_bucket(messaging::Connection& conn,
                                                                 const config::Config& cfg,
                                                                 const std::string& ns);

class FactsCollector {
 public:
  using CollectFn = std::function<provider::Facts()>;

  // `kv` may be null: facts are then only kept in memory.
  FactsCollector(std::shared_ptr<messaging::KeyValue> kv, std::string machine_id,
                 std::chrono::nanoseconds interval, CollectFn collect = {});
  ~FactsCollector();
  FactsCollector(const FactsCollector&) = delete;
  FactsCollector& operator=(const FactsCollector&) = delete;

  // Gathers and stores once. A failed KV write is logged and returned; the cache is updated
  // either way.
  Status refresh();
  // Refreshes every interval on its own thread (nothing when the interval is 0).
  void start();
  void stop();

  std::optional<provider::Facts> facts() const;
  int cpu_count() const;
  // What @fact. references resolve to, with the agent's current hostname.
  FactValues values(const std::string& hostname) const;

 private:
  void loop();

  std::shared_ptr<messaging::KeyValue> kv_;
  const std::string key_;
  const std::chrono::nanoseconds interval_;
  CollectFn collect_;
  mutable std::mutex mu_;
  std::optional<provider::Facts> facts_;
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace osapi::agent
