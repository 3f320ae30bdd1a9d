// One "Incoming request" line per request:
// Info below 400, Warn for 4xx, Error for 5xx. Runs inside the server span so the line carries
// trace_id/span_id.
#pragma once

#include "http/middleware.h"

namespace osapi::http {

Middleware access_log_middleware();

}  // namespace osapi::http
