// The controller's own entry in the registry (`controller.<host*>`), rewritten every 10 s
// like an agent's, so `GET /api/health/status` and every other controller of a cluster see
// which controllers run, since when, and what they cost. Deleted on stop.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "job/agent_record.h"
#include "messaging/nats.h"

namespace osapi::api {

class ComponentHeartbeat {
 public:
  // `type` is the key prefix (controller | nats); `sub_components` is read at every beat.
  ComponentHeartbeat(std::shared_ptr<messaging::KeyValue> registry, std::string type,
                     std::string hostname,
                     std::function<std::map<std::string, job::SubComponent>()> sub_components);
  ~ComponentHeartbeat();
  void start();
  void stop();
  std::string key() const;

 private:
  void beat();
  void loop();

  std::shared_ptr<messaging::KeyValue> registry_;
  std::string type_;
  std::string hostname_;
  std::function<std::map<std::string, job::SubComponent>()> sub_components_;
  std::string started_at_;
  double last_cpu_ = -1;
  std::chrono::steady_clock::time_point last_at_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace osapi::api
