// `osapi node agent start`: consumes job notifications, runs providers, writes events and
// responses, heartbeats into the registry (spec/agent.md).
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

#include "common/result.h"
#include "config/config.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::agent {

class Agent {
 public:
  Agent(config::Config cfg, std::string hostname);
  ~Agent();

  // Connects, ensures infrastructure and consumers, registers, starts fetchers and workers.
  Status start();
  // Stops fetching at once, lets running jobs finish until `deadline`, deregisters.
  // Returns false when jobs were still running at the deadline.
  bool stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  const std::string& hostname() const { return hostname_; }

 private:
  struct Bound;
  void fetch_loop(Bound* bound);
  void worker_loop();
  void heartbeat_loop();
  Status register_self(bool first);
  void process(messaging::Message msg, const std::string& durable);

  config::Config cfg_;
  std::string hostname_;
  job::Names names_;
  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  std::shared_ptr<messaging::KeyValue> registry_;
  std::vector<std::unique_ptr<Bound>> subs_;

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
  std::thread heartbeat_;
  std::mutex hb_mu_;
  std::condition_variable hb_cv_;
};

// Runs the agent until SIGINT/SIGTERM (signals must be blocked by the caller); exit code.
// agent.hostname, else the kernel hostname, else "unknown".
std::string resolve_hostname(const config::Config& cfg);
int run_agent(const config::Config& cfg);

}  // namespace osapi::agent
