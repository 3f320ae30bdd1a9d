#include "api/authz.h"
#include "api/handlers.h"
#include "http/binding.h"

namespace osapi::api {

http::Response get_job_by_id(ApiContext& ctx, http::Request& req) {
  auto id = http::path_uuid(req, "id");  // binding precedes auth (spec/rest-api.md §3.2)
  if (!id) return id.response();
  if (auto denied = authorize(req, ctx, "job:read")) return *denied;
  auto view = ctx.jobs->get(*id);
  if (!view.ok()) {
    if (view.error().code == ErrorCode::kNotFound)
      return http::Response::app_error(404, view.error().message);
    return http::Response::app_error(500, view.error().message);
  }
  return http::Response::json(200, job::to_detail_json(*view));
}

}  // namespace osapi::api
