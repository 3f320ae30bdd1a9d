#include "http/pipeline.h"

#include "http/access_log_middleware.h"
#include "http/cors_middleware.h"
#include "http/exception_guard_middleware.h"
#include "http/request_id_middleware.h"

namespace osapi::http {

Middleware body_limit_middleware() {
  return [](Request& req, const Next& next) {
    if (req.body_too_large) return Response::framework_error(413, "Request Entity Too Large");
    return next(req);
  };
}

std::vector<Middleware> standard_middlewares(const Router& router, PipelineOptions options) {
  std::vector<Middleware> out;
  out.push_back(tracing_middleware(std::move(options.observer)));
  out.push_back(access_log_middleware());
  out.push_back(exception_guard_middleware());
  out.push_back(request_id_middleware());
  out.push_back(cors_middleware(std::move(options.cors_allow_origins), router));
  out.push_back(body_limit_middleware());
  return out;
}

}  // namespace osapi::http
