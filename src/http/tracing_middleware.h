// Server span per request: extracts W3C traceparent/tracestate, starts a
// SERVER span "<METHOD> <route>" (or "<METHOD>"), keeps it active on this thread for the rest of
// the chain (log correlation, child spans) and ends it once the response is produced. When
// tracing is disabled nothing is extracted. The optional hook sees every finished request
// (the HTTP metrics histogram lives behind it).
#pragma once

#include <chrono>
#include <functional>

#include "http/middleware.h"

namespace osapi::http {

using RequestObserver =
    std::function<void(const Request&, const Response&, std::chrono::nanoseconds duration)>;

Middleware tracing_middleware(RequestObserver observer = nullptr);

// Adds an attribute to the span active on this thread (e.g. job.id from a handler); no-op when
// tracing is disabled or no span is active.
void set_active_span_attribute(const std::string& key, const std::string& value);

}  // namespace osapi::http
