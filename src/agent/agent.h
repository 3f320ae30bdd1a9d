// `osapi agent start`: one per host, identified by its machine id. Wires the parts together —
// identity, facts, registration/heartbeat, one durable consumer per routing pattern, a worker
// pool capped at agent.max_jobs — and shuts them down in order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/facts_collector.h"
#include "agent/identity.h"
#include "agent/job_stats.h"
#include "agent/registration.h"
#include "common/result.h"
#include "config/config.h"
#include "job/subjects.h"
#include "messaging/nats.h"
#include "provider/command.h"

namespace osapi::agent {

class JobProcessor;
class ProgressTicker;

struct AgentOptions {
  std::chrono::milliseconds heartbeat_interval = kHeartbeatInterval;
  // Where every heartbeat re-reads the hostname; empty = resolve_hostname(cfg).
  HostnameSource hostname_source;
  // How facts are gathered; empty = provider::collect_facts().
  FactsCollector::CollectFn collect_facts;
};

class Agent {
 public:
  explicit Agent(config::Config cfg, AgentOptions options = {});
  // Pins the hostname, as setting agent.hostname does.
  Agent(config::Config cfg, std::string hostname);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Reads the machine id, connects, ensures buckets, refuses a registry key held by another
  // agent, collects facts, creates and binds the consumers, registers, starts the workers.
  Status start();
  // Stops fetching at once, lets running jobs finish until `deadline`, then kills the commands
  // still running (their jobs are answered failed), deregisters.
  // Returns false when jobs were still running at the deadline.
  bool stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  std::string hostname() const { return hostname_.get(); }
  // Empty before start().
  const std::string& machine_id() const { return machine_id_; }
  // Jobs run so far (null before start()).
  const JobStats* job_stats() const;
  // Seconds since the last successful registry write; 0 before the first.
  double heartbeat_age_seconds() const;

 private:
  struct Bound;
  Status bind_consumers();
  void fetch_loop(Bound* bound);
  void worker_loop();

  config::Config cfg_;
  AgentOptions options_;
  job::Names names_;
  std::string machine_id_;
  HostnameCell hostname_;
  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  std::shared_ptr<messaging::KeyValue> registry_;
  std::unique_ptr<FactsCollector> facts_;
  std::unique_ptr<Registration> registration_;
  std::unique_ptr<ProgressTicker> ticker_;
  provider::ProcessGroups commands_;  // of running command jobs; outlives processor_
  std::unique_ptr<JobProcessor> processor_;
  std::vector<std::unique_ptr<Bound>> subs_;

  bool registered_ = false;
  std::atomic<bool> stopping_{false};
  // One mutex; separate condition variables so a new job wakes one worker and a freed slot
  // wakes one fetcher (a shared notify_all woke every thread per job).
  std::mutex mu_;
  std::condition_variable work_cv_;  // workers: queue non-empty or stopping
  std::condition_variable slot_cv_;  // fetchers: a free slot or stopping
  std::condition_variable idle_cv_;  // stop(): nothing running or queued
  std::deque<std::function<void()>> queue_;
  int free_slots_ = 0;
  int running_ = 0;
  std::vector<std::thread> fetchers_, workers_;
};

}  // namespace osapi::agent
