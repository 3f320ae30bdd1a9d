// `osapi api server start` (spec/rest-api.md §13): NATS connection, JetStream objects, routes,
// middleware, HTTP listener.
#pragma once

#include <memory>

#include "api/context.h"
#include "api/metrics.h"
#include "common/result.h"
#include "config/config.h"
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
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  ApiContext ctx_;
  http::Router router_;
  std::unique_ptr<ApiMetrics> metrics_;
  std::unique_ptr<http::Server> server_;
};

// Runs until SIGINT/SIGTERM (blocked by the caller); exit code.
int run_api_server(const config::Config& cfg);

}  // namespace osapi::api
