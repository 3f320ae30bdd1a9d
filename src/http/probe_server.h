// The metrics and probe server every long-running component runs on its own port
// (controller, agent, NATS): GET /metrics (Prometheus text), GET /health (alive), GET
// /health/ready (200 ready or 503 with the reason). No auth, no audit, no tracing: a scraper
// or a load balancer never needs a token and never reaches the API.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "http/router.h"
#include "http/server.h"

namespace osapi::http {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct ProbeHandlers {
  // nullopt when ready, else why not.
  std::function<std::optional<std::string>()> not_ready;
  // The exposition text of GET /metrics.
  std::function<std::string()> metrics;
};

class ProbeServer {
 public:
  // `host` is an IPv4 literal; port 0 binds a free port (see port()).
  ProbeServer(std::string host, int port, ProbeHandlers handlers);
  ~ProbeServer();
  Status start();
  uint16_t port() const;
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(2));

 private:
  std::string host_;
  int port_;
  ProbeHandlers handlers_;
  Router router_;
  std::unique_ptr<Server> server_;
};

}  // namespace osapi::http
