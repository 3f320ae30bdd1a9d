// W3C Trace Context over our header lists (HTTP requests and NATS message headers).
// Extraction never throws: an invalid traceparent yields a context without a remote span.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <opentelemetry/context/context.h>
#include <opentelemetry/trace/span_context.h>

#include "common/headers.h"

namespace osapi::telemetry {

namespace otel = opentelemetry;

// Writes lowercase `traceparent` (and `tracestate` when non-empty) from the span in `ctx`;
// nothing when tracing is disabled or the span context is invalid.
void inject(const otel::context::Context& ctx, Headers& headers);
// Current runtime context.
void inject_current(Headers& headers);
// Returns `base` (default: current) with the remote parent from the headers (case-insensitive
// names), or `base` unchanged when absent/invalid or tracing is disabled.
otel::context::Context extract(const Headers& headers);
otel::context::Context extract(const Headers& headers, const otel::context::Context& base);
// The remote parent from `traceparent`/`tracestate` (same rules as extract), for
// StartSpanOptions::parent without building a Context; nullopt when absent/invalid or tracing is
// disabled.
std::optional<otel::trace::SpanContext> extract_span_context(const Headers& headers);

// Helpers over traceparent/tracestate strings (job record fallback).
otel::context::Context context_from_strings(const std::string& traceparent,
                                            const std::string& tracestate);
// traceparent/tracestate of a span context ("" when invalid).
std::string format_traceparent(const otel::trace::SpanContext& sc);
std::string format_tracestate(const otel::trace::SpanContext& sc);

// Strict W3C level-1 parse (version 00 exact; higher versions by first four fields; lowercase
// hex; non-zero ids). nullopt when invalid.
std::optional<otel::trace::SpanContext> parse_traceparent(std::string_view traceparent,
                                                          std::string_view tracestate = "");

}  // namespace osapi::telemetry
