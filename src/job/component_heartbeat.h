// The registry entry of a controller (`controller.<host*>`) or a NATS server (`nats.<host*>`),
// rewritten every 10 s like an agent's, so `GET /api/health/status` on any controller of a
// cluster sees which components run, since when, and what their process costs. Deleted on stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "job/agent_record.h"
#include "messaging/nats.h"

namespace osapi::job {

// CPU seconds used so far and resident bytes of the process the entry describes.
struct ProcessUsage {
  double cpu_seconds = 0;
  int64_t rss_bytes = 0;
};

struct ComponentSpec {
  std::string type;  // key prefix and `type` field: controller | nats
  std::string hostname;
  std::function<std::map<std::string, SubComponent>()> sub_components;  // read at every beat
  std::function<std::optional<ProcessUsage>()> process;  // empty or nullopt: not reported
};

class ComponentHeartbeat {
 public:
  ComponentHeartbeat(std::shared_ptr<messaging::KeyValue> registry, ComponentSpec spec);
  ~ComponentHeartbeat();
  void start();
  void stop();
  std::string key() const;

  // The record one beat writes; CPU percent is the usage since the previous beat over the
  // time between them (left out on the first beat).
  json record(const std::optional<ProcessUsage>& usage) const;

 private:
  void beat();
  void loop();

  std::shared_ptr<messaging::KeyValue> registry_;
  ComponentSpec spec_;
  std::string started_at_;
  std::optional<ProcessUsage> last_usage_;
  std::chrono::steady_clock::time_point last_at_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace osapi::job
