#include "api/handlers.h"

namespace osapi::api {

void register_routes(http::Router& router, ApiContext& ctx) {
  auto bind = [&ctx](http::Response (*fn)(ApiContext&, http::Request&)) {
    return [&ctx, fn](http::Request& req) { return fn(ctx, req); };
  };
  router.add("GET", "/health", bind(get_health), {"getHealth", ""});
  router.add("GET", "/health/ready", bind(get_health_ready), {"getHealthReady", ""});
  router.add("GET", "/version", bind(get_version), {"getVersion", ""});
  router.add("GET", "/node", bind(get_node), {"getNode", "node:read"});
  router.add("GET", "/node/hostname", bind(get_node_hostname), {"getNodeHostname", "node:read"});
  router.add("GET", "/node/status", bind(get_node_status), {"getNodeStatus", "node:read"});
  router.add("GET", "/job/{id}", bind(get_job_by_id), {"getJobByID", "job:read"});
}

}  // namespace osapi::api
