// The agent's registration in the registry KV: `agents.<machine-id*>` holding a full
// job::AgentInfo (identity, labels, host metrics, process metrics, conditions,
// sub-components), rewritten every heartbeat and deleted on shutdown. The bucket TTL turns a
// missed heartbeat into "agent gone".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/identity.h"
#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "job/agent_record.h"
#include "messaging/nats.h"
#include "provider/process_metrics.h"

namespace osapi::agent {

inline constexpr std::chrono::milliseconds kHeartbeatInterval = std::chrono::seconds(10);

// agent.facts, agent.heartbeat, agent.pki (disabled: no enrollment yet), agent.metrics (status
// from agent.metrics.enabled, address http://<host>:<port> when enabled).
std::map<std::string, job::SubComponent> agent_sub_components(const config::Config& cfg);

class Registration {
 public:
  struct Options {
    std::chrono::milliseconds interval = kHeartbeatInterval;
    HostnameSource hostname_source;  // re-read every heartbeat; empty = keep the current name
    std::function<int()> cpu_count;  // for HighLoad; empty = 0 (HighLoad never true)
  };

  Registration(const config::Config& cfg, std::shared_ptr<messaging::KeyValue> kv,
               std::string machine_id, HostnameCell& hostname, Options options);
  ~Registration();
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  const std::string& key() const { return key_; }

  // kAlreadyExists when a live entry under this key belongs to another agent (different
  // hostname or machine id): two agents must never share a registry key or consumers.
  Status check_collision();
  // Re-reads the hostname, evaluates conditions and writes the record.
  Status write();
  // The record a heartbeat at `now` would write (advances the condition history).
  job::AgentInfo build(Clock::time_point now);

  // Heartbeats on a thread until stop().
  void start();
  void stop();
  // Deletes the key (clean shutdown); the TTL removes it otherwise.
  void deregister();
  // When the record was last written (epoch when never).
  std::chrono::steady_clock::time_point last_write() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_write_.load(std::memory_order_relaxed)));
  }

 private:
  void loop();

  const config::Config& cfg_;
  std::shared_ptr<messaging::KeyValue> kv_;
  const std::string machine_id_;
  const std::string key_;
  HostnameCell& hostname_;
  Options options_;
  const std::string started_at_;
  const std::map<std::string, job::SubComponent> sub_components_;

  std::mutex build_mu_;  // condition history and the previous process sample
  std::vector<job::Condition> previous_conditions_;
  std::optional<provider::ProcessSample> previous_sample_;

  std::atomic<std::chrono::steady_clock::rep> last_write_{0};
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace osapi::agent
