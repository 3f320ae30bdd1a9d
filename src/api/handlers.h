// Route handlers of the routes that are not node operations, one area per file.
#pragma once

#include "api/context.h"
#include "api/metrics.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace osapi::api {

http::Response get_health(ApiContext& ctx, http::Request& req);
http::Response get_health_ready(ApiContext& ctx, http::Request& req);
http::Response get_version(ApiContext& ctx, http::Request& req);
http::Response get_health_status(ApiContext& ctx, http::Request& req);
// Why the controller is not ready (NATS down, jobs KV unreadable), nullopt when it is.
std::optional<std::string> readiness_failure(const ApiContext& ctx);
// The API server's metrics with osapi's own gauges (NATS, agents, jobs) sampled from `ctx`.
std::unique_ptr<ApiMetrics> make_api_metrics(ApiContext& ctx);
// Go duration of whole seconds ("45s", "2h30m0s") for /health/status uptime.
std::string format_uptime(std::chrono::nanoseconds elapsed);
// Jobs by computed status from one key listing of the jobs bucket.
struct JobCounts {
  size_t keys = 0;  // every key of the bucket
  size_t total = 0;
  std::map<std::string, size_t> by_status;
  size_t count(const std::string& status) const {
    auto it = by_status.find(status);
    return it == by_status.end() ? 0 : it->second;
  }
};
Result<JobCounts> count_jobs(job::JobClient& jobs);

http::Response get_agents(ApiContext& ctx, http::Request& req);
http::Response get_agent_details(ApiContext& ctx, http::Request& req);
http::Response get_fact_keys(ApiContext& ctx, http::Request& req);

http::Response get_jobs(ApiContext& ctx, http::Request& req);
http::Response get_job_by_id(ApiContext& ctx, http::Request& req);
http::Response delete_job_by_id(ApiContext& ctx, http::Request& req);
http::Response retry_job_by_id(ApiContext& ctx, http::Request& req);

http::Response get_audit_logs(ApiContext& ctx, http::Request& req);
http::Response get_audit_export(ApiContext& ctx, http::Request& req);
http::Response get_audit_log_by_id(ApiContext& ctx, http::Request& req);

// Registers every route with its operation id and permission.
void register_routes(http::Router& router, ApiContext& ctx);

// Maps a job-layer error to the API's error body: 503 when NATS is unavailable, else 500.
http::Response job_error(const Error& e);
// 503 {"error": "NATS not connected: …"} while the controller's NATS connection is down (it
// reconnects by itself), answered at once instead of after each NATS call's own timeout.
std::optional<http::Response> nats_unavailable(const ApiContext& ctx);

}  // namespace osapi::api
