// The controller (`osapi controller start`): NATS connection, JetStream objects, routes under
// /api, middleware, the HTTP listener, and the metrics/probe server on its own port.
#pragma once

#include <memory>

#include "job/component_heartbeat.h"
#include "job/dispatch_sweep.h"
#include "api/context.h"
#include "api/metrics.h"
#include "common/result.h"
#include "config/config.h"
#include "http/probe_server.h"
#include "http/router.h"
#include "http/server.h"

namespace osapi::api {

class ApiServer {
 public:
  explicit ApiServer(config::Config cfg);
  ~ApiServer();
  // Connects to NATS, ensures the namespace's objects, binds buckets, listens.
  Status start();
  uint16_t port() const;
  uint16_t metrics_port() const;  // 0 when controller.metrics.enabled is false
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  Status start_metrics_server();
  std::map<std::string, job::SubComponent> sub_components() const;

  ApiContext ctx_;
  http::Router router_;
  std::unique_ptr<ApiMetrics> metrics_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::ProbeServer> metrics_server_;
  std::unique_ptr<job::ComponentHeartbeat> heartbeat_;
  std::unique_ptr<job::DispatchSweeper> sweeper_;
};

// Runs until SIGINT/SIGTERM (blocked by the caller); exit code.
int run_api_server(const config::Config& cfg);

}  // namespace osapi::api
