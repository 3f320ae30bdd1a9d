#include "api/handlers.h"

namespace osapi::api {

void register_routes(http::Router& router, ApiContext& ctx) {
  auto bind = [&ctx](http::Response (*fn)(ApiContext&, http::Request&)) {
    return [&ctx, fn](http::Request& req) { return fn(ctx, req); };
  };
  router.add("GET", "/health", bind(get_health), {"getHealth", ""});
  router.add("GET", "/health/ready", bind(get_health_ready), {"getHealthReady", ""});
  router.add("GET", "/health/status", bind(get_health_status), {"getHealthStatus", "health:read"});
  router.add("GET", "/version", bind(get_version), {"getVersion", ""});
  router.add("GET", "/node", bind(get_node), {"getNode", "node:read"});
  router.add("GET", "/node/hostname", bind(get_node_hostname), {"getNodeHostname", "node:read"});
  router.add("GET", "/node/status", bind(get_node_status), {"getNodeStatus", "node:read"});
  router.add("GET", "/network/dns/{interfaceName}", bind(get_network_dns),
             {"getNetworkDNSByInterface", "network:read"});
  router.add("PUT", "/network/dns", bind(put_network_dns), {"putNetworkDNS", "network:write"});
  router.add("POST", "/network/ping", bind(post_network_ping),
             {"postNetworkPing", "network:write"});
  router.add("POST", "/command/exec", bind(post_command_exec),
             {"postCommandExec", "command:execute"});
  router.add("POST", "/command/shell", bind(post_command_shell),
             {"postCommandShell", "command:execute"});
  router.add("POST", "/job", bind(post_job), {"postJob", "job:write"});
  router.add("GET", "/job", bind(get_jobs), {"getJob", "job:read"});
  router.add("GET", "/job/status", bind(get_job_status), {"getJobStatus", "job:read"});
  router.add("GET", "/job/{id}", bind(get_job_by_id), {"getJobByID", "job:read"});
  router.add("DELETE", "/job/{id}", bind(delete_job_by_id), {"deleteJobByID", "job:write"});
  router.add("POST", "/job/{id}/retry", bind(retry_job_by_id), {"retryJobByID", "job:write"});
  if (ctx.audit) {  // audit disabled → no routes → 404
    router.add("GET", "/audit", bind(get_audit_logs), {"getAuditLogs", "audit:read"});
    router.add("GET", "/audit/export", bind(get_audit_export), {"getAuditExport", "audit:read"});
    router.add("GET", "/audit/{id}", bind(get_audit_log_by_id), {"getAuditLogByID", "audit:read"});
  }
}

}  // namespace osapi::api
