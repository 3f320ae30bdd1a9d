// Route handlers, one area per file (spec/rest-api.md §8, §11, spec/audit-metrics-health.md §3).
#pragma once

#include "api/context.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace osapi::api {

http::Response get_health(ApiContext& ctx, http::Request& req);
http::Response get_health_ready(ApiContext& ctx, http::Request& req);
http::Response get_version(ApiContext& ctx, http::Request& req);

http::Response get_node(ApiContext& ctx, http::Request& req);
http::Response get_node_hostname(ApiContext& ctx, http::Request& req);
http::Response get_node_status(ApiContext& ctx, http::Request& req);

http::Response get_job_by_id(ApiContext& ctx, http::Request& req);

// Registers every route with its operation id and permission.
void register_routes(http::Router& router, ApiContext& ctx);

// Maps a job-layer error to the API's 500 body.
http::Response job_error(const Error& e);

}  // namespace osapi::api
