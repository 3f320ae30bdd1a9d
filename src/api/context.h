// Everything the API handlers share: config, the NATS connection, the job client and the
// agent registry.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api/audit.h"
#include "common/time.h"
#include "config/config.h"
#include "http/response.h"
#include "job/agent_record.h"
#include "job/client.h"
#include "job/registry.h"
#include "messaging/nats.h"

namespace osapi::api {

struct ApiContext {
  config::Config cfg;
  std::shared_ptr<messaging::Connection> conn;
  std::shared_ptr<messaging::KeyValue> jobs_kv;
  std::shared_ptr<messaging::KeyValue> facts_kv;  // null when nats.facts.bucket is empty
  std::shared_ptr<messaging::KeyValue> state_kv;  // null when nats.state.bucket is empty
  std::unique_ptr<job::JobClient> jobs;
  std::unique_ptr<job::Registry> registry;
  std::shared_ptr<AuditLog> audit;  // null when audit is disabled (nats.audit.stream "")
  Clock::time_point started = Clock::now();
  // The controller's sub-components and their status (health status, heartbeat).
  std::function<std::map<std::string, job::SubComponent>()> sub_components;

  // GET /api/health/status makes a dozen broker lookups. Requests that arrive while one is
  // being answered wait for it and share its answer (it started after they were sent), so
  // many clients polling the status cost nats-server one set of lookups at a time.
  struct StatusFlight {
    std::mutex mu;
    std::condition_variable done;
    bool running = false;
    uint64_t generation = 0;  // answers made so far
    http::Response answer;
  };
  StatusFlight status_flight;
};

}  // namespace osapi::api
