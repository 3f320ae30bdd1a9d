// Who the agent is: a machine id that never changes while the process runs (registry key,
// consumer names, direct subject) and a hostname that may (re-read on every heartbeat).
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace osapi::agent {

// agent.machine_id_file (default /etc/machine-id), trimmed. Unreadable or empty → an error
// naming the file: without an identity the agent must not start.
Result<std::string> read_agent_machine_id(const config::Config& cfg);

// agent.hostname, else the kernel hostname, else "unknown".
std::string resolve_hostname(const config::Config& cfg);

// The current hostname, shared by the heartbeat (which refreshes it) and the job processor
// (which stamps events and responses with it).
class HostnameCell {
 public:
  explicit HostnameCell(std::string initial) : name_(std::move(initial)) {}
  std::string get() const {
    std::lock_guard<std::mutex> lk(mu_);
    return name_;
  }
  // True when the name changed.
  bool set(const std::string& name) {
    std::lock_guard<std::mutex> lk(mu_);
    if (name == name_) return false;
    name_ = name;
    return true;
  }

 private:
  mutable std::mutex mu_;
  std::string name_;
};

using HostnameSource = std::function<std::string()>;

}  // namespace osapi::agent
