#include "api/handlers.h"
#include "api/node_operation.h"

namespace osapi::api {

void register_routes(http::Router& router, ApiContext& ctx) {
  auto bind = [&ctx](http::Response (*fn)(ApiContext&, http::Request&)) {
    return [&ctx, fn](http::Request& req) { return fn(ctx, req); };
  };
  router.add("GET", "/api/health", bind(get_health), {"GetHealth", ""});
  router.add("GET", "/api/health/ready", bind(get_health_ready), {"GetHealthReady", ""});
  router.add("GET", "/api/health/status", bind(get_health_status),
             {"GetHealthStatus", "health:read"});
  router.add("GET", "/api/version", bind(get_version), {"getVersion", ""});
  router.add("GET", "/api/agent", bind(get_agents), {"getAgents", "agent:read"});
  router.add("GET", "/api/agent/{hostname}", bind(get_agent_details),
             {"getAgentDetails", "agent:read"});
  router.add("GET", "/api/facts/keys", bind(get_fact_keys), {"GetFactKeys", "agent:read"});
  router.add("GET", "/api/job", bind(get_jobs), {"getJobs", "job:read"});
  router.add("GET", "/api/job/{id}", bind(get_job_by_id), {"GetJobByID", "job:read"});
  router.add("DELETE", "/api/job/{id}", bind(delete_job_by_id), {"DeleteJobByID", "job:write"});
  router.add("POST", "/api/job/{id}/retry", bind(retry_job_by_id), {"RetryJobByID", "job:write"});
  if (ctx.audit) {  // audit disabled → no routes → 404
    router.add("GET", "/api/audit", bind(get_audit_logs), {"GetAuditLogs", "audit:read"});
    router.add("GET", "/api/audit/export", bind(get_audit_export),
               {"GetAuditExport", "audit:read"});
    router.add("GET", "/api/audit/{id}", bind(get_audit_log_by_id),
               {"GetAuditLogByID", "audit:read"});
  }
  for (const auto& op : node_operations()) {
    router.add(op.method, op.path,
               [&ctx, &op](http::Request& req) { return run_node_operation(ctx, req, op); },
               {op.operation_id, op.permission});
  }
}

}  // namespace osapi::api
