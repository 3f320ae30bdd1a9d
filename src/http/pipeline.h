// The standard middleware stack order. The API layer appends its own
// (audit, auth) and wraps the router: make_app(router, standard_middlewares(router, opts)).
#pragma once

#include <string>
#include <vector>

#include "http/middleware.h"
#include "http/router.h"
#include "http/tracing_middleware.h"

namespace osapi::http {

struct PipelineOptions {
  std::vector<std::string> cors_allow_origins;  // empty = CORS disabled
  RequestObserver observer;                     // HTTP metrics hook (optional)
};

// Answers 413 for a request whose body was over the server's limit, before auth and handlers
// see it (body decoding precedes auth).
Middleware body_limit_middleware();

// tracing(+observer) → access log → exception guard → request id → CORS → body limit.
std::vector<Middleware> standard_middlewares(const Router& router, PipelineOptions options);

}  // namespace osapi::http
